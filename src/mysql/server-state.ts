import type { Connection, RowDataPacket } from 'mysql2/promise';
import { parseServerVersion, type ServerVersion } from './server-version.js';

/** What the sidecar knows about its own server, refreshed by its loop. */
export interface ServerState {
  readonly version: ServerVersion;
  readonly versionText: string;
  readonly readOnly: boolean;
  /** The GTID position of everything this server has (MariaDB gtid_binlog_pos, MySQL gtid_executed). */
  readonly gtidPosition: string;
}

export async function readServerState(connection: Connection): Promise<ServerState> {
  const [versionRows] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS version, @@read_only AS readOnly');
  const row: RowDataPacket = versionRows[0] ?? ({} as RowDataPacket);
  const versionText = String(row.version);
  const version = parseServerVersion(versionText);
  const gtidVariable = version.flavor === 'mariadb' ? '@@gtid_binlog_pos' : '@@gtid_executed';
  const [gtidRows] = await connection.query<RowDataPacket[]>(`SELECT ${gtidVariable} AS gtid`);
  return {
    version,
    versionText,
    readOnly: Number(row.readOnly) === 1,
    gtidPosition: String(gtidRows[0]?.gtid ?? '').replace(/\s+/g, ''),
  };
}
