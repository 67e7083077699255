import { isPurgedGap, type ReplicaStatus } from '../mysql/replica-status.js';

/**
 * The replica's replication rules (ARCHITECTURE.md, "Replication"), as a pure
 * function of one observation, the target and what the loop remembers, so each
 * rule is unit-tested and is the rule the loop runs.
 */

export interface ReplicationObservation {
  /** SHOW REPLICA STATUS, undefined when replication was never configured. */
  readonly status: ReplicaStatus | undefined;
  /** GTIDs this replica has that the primary lacks, if any. */
  readonly errant: string | undefined;
  /** Stopped on a purged gap: whether the primary's GTID set holds all of this replica's (undefined: not known). */
  readonly primaryHoldsReplica?: boolean | undefined;
}

export interface ReplicationTarget {
  readonly host: string;
  readonly port: number;
}

export interface ReplicationHistory {
  /** The server (re)started, or this agent did, since the last plan: replication stopped by skip-replica-start is ours to start. */
  readonly freshBoot: boolean;
  /** When this agent last started replication after an error (ms since epoch), 0 for never. */
  readonly lastRestartAt: number;
  /** Since replication last ran, the primary was seen lacking transactions this replica has (an empty primary, since rebuilt or not). */
  readonly primaryLackedReplica?: boolean;
  readonly now: number;
}

export type ReplicationAction =
  | { readonly kind: 'none'; readonly reason: string }
  /** Stop, point at the target (from the clone's GTID position when `firstTime`), start. */
  | { readonly kind: 'point'; readonly firstTime: boolean; readonly reason: string }
  | { readonly kind: 'start'; readonly reason: string };

/** After an error, starting again at once would hammer a source that is still down: wait this long between tries. */
export const RESTART_PAUSE_MS = 10_000;

export function planReplication(observation: ReplicationObservation, target: ReplicationTarget, history: ReplicationHistory): ReplicationAction {
  const { status } = observation;
  if (observation.errant !== undefined) return none('errant transactions: replication is left as it is until the replica is rebuilt');
  if (status === undefined || status.sourceHost === '') return { kind: 'point', firstTime: true, reason: 'replication is not configured' };
  if (status.sourceHost !== target.host || status.sourcePort !== target.port) {
    return { kind: 'point', firstTime: false, reason: `replication points at ${status.sourceHost}:${status.sourcePort}` };
  }
  // 'Connecting' is the IO thread retrying on its own (a restarting primary): leave it be.
  const stopped = status.ioState === 'No' || !status.sqlRunning;
  if (!stopped) return none('replication runs');
  if (history.freshBoot) return { kind: 'start', reason: 'the server started with replication stopped (skip-replica-start)' };
  const failed = status.lastIoErrno !== 0 || status.lastSqlErrno !== 0;
  // A thread stopped without an error of its own was stopped by hand; START would start it too, so an
  // error of the other thread (the IO thread while the primary restarts) is no reason to start.
  const byHand = (status.ioState === 'No' && status.lastIoErrno === 0) || (!status.sqlRunning && status.lastSqlErrno === 0);
  if (!failed || byHand) return none('replication was stopped by hand: an operator\'s stop is respected');
  if (isPurgedGap(status)) return afterPurgedGap(observation.primaryHoldsReplica, history);
  if (history.now - history.lastRestartAt <= RESTART_PAUSE_MS) return none('replication stopped on an error: waiting before the next start');
  return { kind: 'start', reason: 'replication stopped on an error' };
}

/**
 * Error 1236 has two causes. The primary purged binlogs this replica needs (it
 * holds the replica's transactions and more): a restart cannot fix that. Or the
 * primary lacked this replica's transactions (an empty primary over a lost
 * volume), and once it was rebuilt from a peer it holds them all: starting
 * again is then provably safe, because the primary has everything the replica
 * has, so replication can only add to it. Only the second, seen in that order
 * by this sidecar, is started; anything else stays stopped with the reason.
 */
function afterPurgedGap(holds: boolean | undefined, history: ReplicationHistory): ReplicationAction {
  if (holds === false) return none('the primary lacks transactions this replica has: left stopped until the primary holds them (rebuilt from a peer) or this replica is rebuilt');
  if (holds !== true || history.primaryLackedReplica !== true) return none('the primary purged binlogs this replica needs: a restart cannot fix that');
  if (history.now - history.lastRestartAt <= RESTART_PAUSE_MS) return none('the primary now holds this replica\'s transactions: waiting before the next start');
  return { kind: 'start', reason: 'the primary now holds every transaction of this replica (it lacked them when replication stopped)' };
}

function none(reason: string): ReplicationAction {
  return { kind: 'none', reason };
}
