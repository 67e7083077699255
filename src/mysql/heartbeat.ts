import type { Connection, RowDataPacket } from 'mysql2/promise';

/**
 * A pt-heartbeat-compatible table: `heartbeat.heartbeat`, `ts` as UTC text with
 * microseconds and `server_id` as primary key, so pt-heartbeat and
 * mysqld_exporter's heartbeat collector (`--collect.heartbeat.utc`) read it too.
 */
export const HEARTBEAT_TABLE_DDL = [
  'CREATE DATABASE IF NOT EXISTS heartbeat',
  `CREATE TABLE IF NOT EXISTS heartbeat.heartbeat (
    ts varchar(26) NOT NULL,
    server_id int unsigned NOT NULL PRIMARY KEY,
    file varchar(255) DEFAULT NULL,
    position bigint unsigned DEFAULT NULL,
    relay_master_log_file varchar(255) DEFAULT NULL,
    exec_master_log_pos bigint unsigned DEFAULT NULL
  )`,
];

/** The server's UTC clock in pt-heartbeat's format, computed by the server (never the agent's clock). */
const UTC_TEXT = "DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%f')";

export async function writeHeartbeat(connection: Connection): Promise<void> {
  await connection.query(`REPLACE INTO heartbeat.heartbeat (ts, server_id) VALUES (${UTC_TEXT}, @@server_id)`);
}

export interface HeartbeatRead {
  /** The `ts` of `sourceServerId`'s row, undefined when it has none. */
  readonly ts: string | undefined;
  /** The server_ids of every other row: other writers, whose rows are not the source's heartbeat. */
  readonly otherServerIds: readonly number[];
  /** This server's own UTC clock, read in the same statement. */
  readonly now: string;
}

/** The applied heartbeat of `sourceServerId`, who else wrote rows, and this server's own UTC clock, read together. */
export async function readHeartbeat(connection: Connection, sourceServerId: number): Promise<HeartbeatRead> {
  const [rows] = await connection.query<RowDataPacket[]>(
    `SELECT (SELECT ts FROM heartbeat.heartbeat WHERE server_id = ?) AS ts,
      (SELECT GROUP_CONCAT(server_id ORDER BY server_id) FROM heartbeat.heartbeat WHERE server_id <> ?) AS others,
      ${UTC_TEXT} AS now`,
    [sourceServerId, sourceServerId],
  );
  const row = rows[0];
  const text = (value: unknown): string | undefined => (value === null || value === undefined ? undefined : String(value));
  const others = text(row?.others);
  return { ts: text(row?.ts), otherServerIds: others === undefined ? [] : others.split(',').map(Number), now: String(row?.now) };
}
