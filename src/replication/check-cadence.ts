import type { CloneAttemptReport } from '../clone/clone-plugin/report.js';

/** How often the loop looks while it waits for a change it expects soon. */
const FAST_POLL_MS = 200;
/** How long after starting or re-pointing replication the loop looks every 200 ms for the replica to catch up. */
const SETTLE_WINDOW_MS = 3_000;
/**
 * How long after the sidecar's start it looks every 200 ms for a server that
 * has not answered yet. The kubelet starts the pod's containers together, so
 * the server usually comes up a second or more after the sidecar; a server
 * still down after this is recovering or broken, and a check a second is enough.
 */
const FIRST_ANSWER_WINDOW_MS = 60_000;

export interface CadenceInput {
  readonly intervalMs: number;
  /** A CLONE-plugin clone was recorded in the last check: the role's first check is next. */
  readonly justCloned: boolean;
  /** The CLONE-plugin provisioner's phase, if one runs. */
  readonly clonePhase: CloneAttemptReport['phase'] | undefined;
  /** The server has answered a check since the sidecar started. */
  readonly serverAnswered: boolean;
  readonly ready: boolean;
  /** When replication was last started or re-pointed (ms since the epoch; 0: never). */
  readonly actedAt: number;
  readonly startedAt: number;
  readonly now: number;
}

/**
 * The delay before the loop's next check: the interval, except around a
 * change the loop waits for, where a 1 s poll would cost half a second on
 * average: at once after a CLONE-plugin clone was recorded (replication is
 * next); every 200 ms while the server first comes up, for the sidecar's
 * start or for a clone (or restarts to finish one); and every 200 ms for a few
 * seconds after replication was started or re-pointed while the replica is
 * not Ready, so the check that proves it caught up comes at once.
 */
export function nextCheckInMs(input: CadenceInput): number {
  if (input.justCloned) return 0;
  if (input.clonePhase === 'starting' || input.clonePhase === 'restarting') return FAST_POLL_MS;
  if (!input.serverAnswered && input.now - input.startedAt < FIRST_ANSWER_WINDOW_MS) return FAST_POLL_MS;
  const settling = !input.ready && input.now - input.actedAt < SETTLE_WINDOW_MS;
  return settling ? FAST_POLL_MS : input.intervalMs;
}
