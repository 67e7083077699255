import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Dialect, SourceSettings } from '../mysql/dialect.js';
import { parseReplicaStatus, type ReplicaStatus } from '../mysql/replica-status.js';

export async function readReplicaStatus(connection: Connection, dialect: Dialect): Promise<ReplicaStatus | undefined> {
  const [rows] = await connection.query<RowDataPacket[]>(dialect.replicaStatus);
  return parseReplicaStatus(rows[0], dialect.version.flavor);
}

/**
 * Points replication at the source and starts it. `gtidStart` (from a clone)
 * is set only on first configuration: afterwards the server's own position is
 * the truth.
 */
export async function pointAtSource(
  connection: Connection,
  input: { dialect: Dialect; source: SourceSettings; gtidStart: string | undefined },
): Promise<void> {
  const { dialect } = input;
  await connection.query(dialect.stopReplica);
  if (input.gtidStart !== undefined) {
    const setStart = dialect.setGtidStart(input.gtidStart);
    await connection.query(setStart.sql, [...setStart.params]);
  }
  const change = dialect.changeSource(input.source);
  await connection.query(change.sql, [...change.params]);
  await connection.query(dialect.startReplica);
}

/** Replicas are read-only: writes around replication are how errant transactions are born. */
export async function ensureReadOnly(connection: Connection, flavor: 'mysql' | 'mariadb', readOnly: boolean): Promise<void> {
  if (readOnly) return;
  await connection.query('SET GLOBAL read_only = ON');
  if (flavor === 'mysql') await connection.query('SET GLOBAL super_read_only = ON');
}
