import type { Connection, RowDataPacket } from 'mysql2/promise';
import { computeLag, parseHeartbeatTs, type Lag } from '../health/lag.js';
import type { Dialect, SourceSettings } from '../mysql/dialect.js';
import { readHeartbeat } from '../mysql/heartbeat.js';
import { parseReplicaStatus, type ReplicaStatus } from '../mysql/replica-status.js';
import type { Flavor } from '../mysql/server-version.js';
import { AgentError } from '../errors.js';
import { findErrant } from './errant.js';
import { planGtidStart } from './gtid-start.js';

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
  if (input.gtidStart !== undefined) await applyGtidStart(connection, dialect, input.gtidStart);
  const change = dialect.changeSource(input.source);
  await connection.query(change.sql, [...change.params]);
  await connection.query(dialect.startReplica);
}

/** Sets the clone's GTID position: directly on MariaDB, on MySQL as planGtidStart says. */
async function applyGtidStart(connection: Connection, dialect: Dialect, gtid: string): Promise<void> {
  const setStart = dialect.setGtidStart(gtid);
  if (dialect.resetGtids !== undefined) {
    const [rows] = await connection.query<RowDataPacket[]>(
      'SELECT GTID_SUBSET(?, @@GLOBAL.gtid_executed) AS covered, GTID_SUBSET(@@GLOBAL.gtid_executed, ?) AS within, @@GLOBAL.gtid_executed AS executed',
      [gtid, gtid],
    );
    const row = rows[0];
    const plan = planGtidStart({ covered: Number(row?.covered) === 1, within: Number(row?.within) === 1, executed: String(row?.executed ?? ''), clone: gtid });
    if (plan.action === 'keep') return;
    if (plan.action === 'refuse') throw new AgentError('server', `failed to set the clone's GTID position: ${plan.reason}`);
    await connection.query(dialect.resetGtids);
  }
  await connection.query(setStart.sql, [...setStart.params]);
}

/** Replicas are read-only: writes around replication are how errant transactions are born. */
export async function ensureReadOnly(connection: Connection, flavor: 'mysql' | 'mariadb', readOnly: boolean): Promise<void> {
  if (readOnly) return;
  await connection.query('SET GLOBAL read_only = ON');
  if (flavor === 'mysql') await connection.query('SET GLOBAL super_read_only = ON');
}

/** GTIDs this replica originated itself (see findErrant), or undefined. */
export async function readErrant(connection: Connection, input: { flavor: Flavor; primaryServerId: number }): Promise<string | undefined> {
  const [rows] = await connection.query<RowDataPacket[]>(
    input.flavor === 'mariadb' ? 'SELECT @@gtid_binlog_pos AS position, NULL AS uuid' : 'SELECT @@gtid_executed AS position, @@server_uuid AS uuid',
  );
  const row = rows[0];
  return findErrant({
    flavor: input.flavor,
    position: String(row?.position ?? ''),
    primaryServerId: input.primaryServerId,
    ownServerUuid: row?.uuid === null || row?.uuid === undefined ? undefined : String(row.uuid),
  });
}

/** Heartbeat lag: this server's clock minus the primary's last applied heartbeat. */
export async function readLag(
  connection: Connection,
  input: { primaryServerId: number; status: ReplicaStatus | undefined; heartbeatIntervalMs: number },
): Promise<Lag> {
  let heartbeat: { ts: string | undefined; now: string };
  try {
    heartbeat = await readHeartbeat(connection, input.primaryServerId);
  } catch (error) {
    // 1146: the heartbeat table has not replicated here yet.
    if ((error as { errno?: number }).errno === 1146) return { known: false, reason: 'no heartbeat received yet' };
    throw error;
  }
  return computeLag({
    heartbeatAt: heartbeat.ts === undefined ? undefined : parseHeartbeatTs(heartbeat.ts),
    replicaNow: parseHeartbeatTs(heartbeat.now) ?? Date.now(),
    ioRunning: input.status?.ioRunning ?? false,
    sqlRunning: input.status?.sqlRunning ?? false,
    secondsBehind: input.status?.secondsBehind ?? null,
    heartbeatIntervalMs: input.heartbeatIntervalMs,
  });
}
