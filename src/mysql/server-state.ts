import type { Connection, RowDataPacket } from 'mysql2/promise';
import { parseServerVersion, type Flavor, type ServerVersion } from './server-version.js';

/** What the sidecar knows about its own server, refreshed by its loop (read once per check). */
export interface ServerState {
  readonly version: ServerVersion;
  readonly versionText: string;
  readonly readOnly: boolean;
  /** MySQL's super_read_only (binds users with SUPER too); undefined on MariaDB, whose read_only already binds everyone without READ_ONLY ADMIN. */
  readonly superReadOnly: boolean | undefined;
  /** The GTID position of everything this server has (MariaDB gtid_binlog_pos, MySQL gtid_executed). */
  readonly gtidPosition: string;
  /** MySQL's server_uuid (the source part of the GTIDs this server writes itself); undefined on MariaDB. */
  readonly serverUuid: string | undefined;
  /**
   * The server_id it runs with: the identity config's, unless it never read it
   * (identity/server-identity.ts). The global value: MariaDB also has a
   * session server_id, copied when a connection opens, and the loop's
   * connection lives on.
   */
  readonly serverId: number;
}

/** What only one server has: MySQL's super_read_only and server_uuid, each one's name for its GTID position. */
const FLAVOR_COLUMNS: Record<Flavor, string> = {
  mariadb: 'NULL AS superReadOnly, @@gtid_binlog_pos AS gtid, NULL AS uuid',
  mysql: '@@super_read_only AS superReadOnly, @@gtid_executed AS gtid, @@server_uuid AS uuid',
};

export async function readServerState(connection: Connection): Promise<ServerState> {
  const [versionRows] = await connection.query<RowDataPacket[]>('SELECT VERSION() AS version');
  const versionText = String(versionRows[0]?.version);
  const version = parseServerVersion(versionText);
  const [rows] = await connection.query<RowDataPacket[]>(`SELECT @@read_only AS readOnly, @@GLOBAL.server_id AS serverId, ${FLAVOR_COLUMNS[version.flavor]}`);
  const row: RowDataPacket = rows[0] ?? ({} as RowDataPacket);
  return {
    version,
    versionText,
    readOnly: Number(row.readOnly) === 1,
    superReadOnly: row.superReadOnly === null || row.superReadOnly === undefined ? undefined : Number(row.superReadOnly) === 1,
    gtidPosition: String(row.gtid ?? '').replace(/\s+/g, ''),
    serverUuid: row.uuid === null || row.uuid === undefined ? undefined : String(row.uuid),
    serverId: Number(row.serverId),
  };
}
