import type { Connection } from 'mysql2/promise';
import type { CloneInfo } from '../data-dir/clone-info.js';
import type { Observation } from '../health/readiness.js';
import type { Logger } from '../log.js';
import { dialectFor } from '../mysql/dialect.js';
import { writeHeartbeat } from '../mysql/heartbeat.js';
import type { ServerState } from '../mysql/server-state.js';
import type { LoopSettings } from './loop-types.js';
import { findErrant } from './errant.js';
import { chooseGtidStart } from './gtid-start.js';
import { planReplication } from './plan.js';
import { primaryHoldsReplica, type GapMemory } from './purged-gap.js';
import { ensureWritable } from './primary.js';
import { applyReplicationAction, ensureReadOnly, measureLag, readReplicaStatus } from './replica.js';
import type { SourceSnapshots } from './source-snapshots.js';
import type { StalledDumpReaper } from './stalled-dumps.js';

/** One check of each role, on a connection the loop owns (ARCHITECTURE.md, "Replication"). */

/**
 * The primary stays writable, writes a heartbeat, and ends the dump threads of
 * replicas that stopped acknowledging; `onHeartbeat` counts writes and failures.
 */
export async function checkPrimary(
  connection: Connection,
  server: ServerState,
  dumps: StalledDumpReaper,
  onHeartbeat: (written: boolean) => void,
): Promise<Observation> {
  await ensureWritable(connection, server.version.flavor, server.readOnly);
  await dumps.run(connection);
  try {
    await writeHeartbeat(connection);
    onHeartbeat(true);
  } catch (error) {
    onHeartbeat(false);
    throw error;
  }
  return { role: 'primary', serverUp: true, serverError: undefined, writable: true, replication: undefined, lag: undefined, errant: undefined };
}

/** What the replica's rules remember from one check to the next. */
export interface ReplicaMemory extends GapMemory {
  /** The server (re)started, or this agent did, since the last plan. */
  freshBoot: boolean;
  /** When this agent last started replication after an error. */
  lastRestartAt: number;
  /** When this agent last started or re-pointed replication: the checks right after look closer. */
  actedAt: number;
  /** How often the replica was found writable and set read-only again. */
  readOnlyRestores: number;
  /** This loop saw the server read-only since it (re)started: writable now means someone changed it. */
  readOnlySeen: boolean;
}

/**
 * A replica stays read-only, is never pointed anywhere while it holds errant
 * transactions, follows planReplication's decision, and measures its lag.
 */
export async function checkReplica(input: {
  connection: Connection;
  server: ServerState;
  settings: LoopSettings;
  cloneInfo: CloneInfo | undefined;
  memory: ReplicaMemory;
  snapshots: SourceSnapshots;
  logger: Logger;
}): Promise<Observation> {
  const { connection, server, settings, memory } = input;
  const dialect = dialectFor(server.version);
  if (await ensureReadOnly(connection, server)) {
    const readOnlyState = { readOnly: server.readOnly, superReadOnly: server.superReadOnly };
    if (memory.readOnlySeen) {
      // Turned off while we watched: whatever writes here now is an errant transaction in the making.
      memory.readOnlyRestores += 1;
      input.logger.warn(readOnlyState, 'the replica was writable: set it read-only again');
    } else {
      // Started so (the config a CLONE-plugin clone restarts with, or a hand-edited one): ours to set, nobody's fault.
      input.logger.info(readOnlyState, 'the server started writable: set it read-only');
    }
  }
  memory.readOnlySeen = true;
  const errant = findErrant({
    flavor: server.version.flavor,
    position: server.gtidPosition,
    primaryServerId: settings.primaryServerId,
    ownServerUuid: server.serverUuid,
  });
  let status = await readReplicaStatus(connection, dialect);
  const now = Date.now();
  const primaryHolds = await primaryHoldsReplica({ source: settings.source, flavor: server.version.flavor, status, replicaGtid: server.gtidPosition, memory, now });
  const action = planReplication({ status, errant, primaryHoldsReplica: primaryHolds }, settings.source, { ...memory, primaryLackedReplica: memory.primaryLacked, now });
  if (action.kind !== 'none') {
    const gtidStart = chooseGtidStart({ flavor: server.version.flavor, cloneGtid: input.cloneInfo?.coordinates.gtid, serverGtid: server.gtidPosition });
    input.logger.info(
      { action: action.kind, reason: action.reason, source: `${settings.source.host}:${settings.source.port}`, gtidStart: action.kind === 'point' && action.firstTime ? gtidStart : undefined },
      action.kind === 'point' ? 'pointing replication at the primary' : 'starting replication',
    );
    if (action.kind === 'start') memory.lastRestartAt = Date.now();
    memory.actedAt = Date.now();
    await applyReplicationAction(connection, { dialect, source: settings.source, action, gtidStart });
    status = await readReplicaStatus(connection, dialect);
  }
  // Only once the action went through: a point whose START never reached the server (the connection dropped
  // in between) left replication stopped by us, not by an operator, so the next check must still start it.
  if (errant === undefined) memory.freshBoot = false;
  const lagInput = { primaryServerId: settings.primaryServerId, status, heartbeatIntervalMs: settings.intervalMs, snapshots: input.snapshots, flavor: server.version.flavor };
  const lag = await measureLag(connection, lagInput);
  return { role: 'replica', serverUp: true, serverError: undefined, writable: !server.readOnly, replication: status, lag, errant };
}
