import type { Connection } from 'mysql2/promise';
import { HEARTBEAT_TABLE_DDL, writeHeartbeat } from '../mysql/heartbeat.js';
import type { Flavor } from '../mysql/server-version.js';
import type { Secret } from '../secret.js';

/**
 * What the primary must have before replicas can follow it: the replication
 * user (only REPLICATION SLAVE, password kept in step with the Secret) and the
 * heartbeat table. Idempotent; runs on every new connection, so a restored or
 * re-cloned primary gets them back.
 */
export async function ensurePrimaryObjects(connection: Connection, input: { user: string; password: Secret }): Promise<void> {
  for (const statement of HEARTBEAT_TABLE_DDL) await connection.query(statement);
  const password = input.password.reveal();
  await connection.query("CREATE USER IF NOT EXISTS ?@'%' IDENTIFIED BY ?", [input.user, password]);
  await connection.query("ALTER USER ?@'%' IDENTIFIED BY ?", [input.user, password]);
  await connection.query("GRANT REPLICATION SLAVE ON *.* TO ?@'%'", [input.user]);
}

/** The primary stays writable: a config or a human that made it read-only is overruled. */
export async function ensureWritable(connection: Connection, flavor: Flavor, readOnly: boolean): Promise<void> {
  if (!readOnly) return;
  if (flavor === 'mysql') await connection.query('SET GLOBAL super_read_only = OFF');
  await connection.query('SET GLOBAL read_only = OFF');
}

export { writeHeartbeat };
