import type { Connection, RowDataPacket } from 'mysql2/promise';
import { performance } from 'node:perf_hooks';
import { combineLag } from '../health/gtid-bound.js';
import { computeLag, NO_HEARTBEAT_YET, parseHeartbeatTs, primaryHeartbeat, type Lag } from '../health/lag.js';
import type { Dialect, SourceSettings } from '../mysql/dialect.js';
import { ER_BAD_DB_ERROR, ER_NO_SUCH_TABLE, serverErrno } from '../mysql/error-numbers.js';
import { readHeartbeat, type HeartbeatRead } from '../mysql/heartbeat.js';
import { parseReplicaStatus, type ReplicaStatus } from '../mysql/replica-status.js';
import type { ServerState } from '../mysql/server-state.js';
import type { Flavor } from '../mysql/server-version.js';
import { AgentError } from '../errors.js';
import { planGtidStart } from './gtid-start.js';
import type { ReplicationAction } from './plan.js';
import { readAppliedGtid, type SourceSnapshots } from './source-snapshots.js';

export async function readReplicaStatus(connection: Connection, dialect: Dialect): Promise<ReplicaStatus | undefined> {
  const [rows] = await connection.query<RowDataPacket[]>(dialect.replicaStatus);
  return parseReplicaStatus(rows[0], dialect.version.flavor);
}

/**
 * Carries out what planReplication decided. `gtidStart` (from a clone) is set
 * only when replication is configured for the first time: afterwards the
 * server's own position is the truth.
 */
export async function applyReplicationAction(
  connection: Connection,
  input: { dialect: Dialect; source: SourceSettings; action: ReplicationAction; gtidStart: string | undefined },
): Promise<void> {
  const { dialect, action } = input;
  if (action.kind === 'start') {
    await connection.query(dialect.startReplica);
    return;
  }
  if (action.kind !== 'point') return;
  await connection.query(dialect.stopReplica);
  if (action.firstTime && input.gtidStart !== undefined) await applyGtidStart(connection, dialect, input.gtidStart);
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

/**
 * Replicas are read-only (on MySQL super_read_only too): writes around
 * replication are how errant transactions are born. True when the server was
 * writable and had to be set read-only again.
 */
export async function ensureReadOnly(connection: Connection, server: ServerState): Promise<boolean> {
  const mysql = server.version.flavor === 'mysql';
  if (server.readOnly && (!mysql || server.superReadOnly === true)) return false;
  await connection.query('SET GLOBAL read_only = ON');
  if (mysql) await connection.query('SET GLOBAL super_read_only = ON');
  return true;
}

/**
 * The lag: the heartbeat's, or the bound from the source's GTID snapshots where
 * that is lower by more than the heartbeat's margin (combineLag). Asks for the
 * next snapshot first, so it is taken while this check goes on.
 */
export async function measureLag(
  connection: Connection,
  input: { primaryServerId: number; status: ReplicaStatus | undefined; heartbeatIntervalMs: number; snapshots: SourceSnapshots; flavor: Flavor },
): Promise<Lag> {
  if (input.status !== undefined) input.snapshots.take({ host: input.status.sourceHost, port: input.status.sourcePort }, input.flavor);
  const heartbeat = await readLag(connection, input);
  const applied = await readAppliedGtid(connection, input.flavor);
  // Taken after the applied position was read: the bound holds at any later instant.
  return combineLag(heartbeat, input.snapshots.bound(input.flavor, applied, performance.now()));
}

/** Heartbeat lag: this server's clock minus the primary's last applied heartbeat, checked against Seconds_Behind. */
async function readLag(
  connection: Connection,
  input: { primaryServerId: number; status: ReplicaStatus | undefined; heartbeatIntervalMs: number },
): Promise<Lag> {
  let read: HeartbeatRead;
  try {
    read = await readHeartbeat(connection, input.primaryServerId);
  } catch (error) {
    // The heartbeat database or table has not replicated here yet.
    const errno = serverErrno(error);
    if (errno === ER_NO_SUCH_TABLE || errno === ER_BAD_DB_ERROR) return { known: false, reason: NO_HEARTBEAT_YET };
    throw error;
  }
  const heartbeat = primaryHeartbeat({ primaryServerId: input.primaryServerId, ts: read.ts, otherServerIds: read.otherServerIds });
  if ('reason' in heartbeat) return { known: false, reason: heartbeat.reason };
  return computeLag({
    heartbeatAt: heartbeat.at,
    replicaNow: parseHeartbeatTs(read.now) ?? Date.now(),
    ioRunning: input.status?.ioRunning ?? false,
    sqlRunning: input.status?.sqlRunning ?? false,
    secondsBehind: input.status?.secondsBehind ?? null,
    heartbeatIntervalMs: input.heartbeatIntervalMs,
  });
}
