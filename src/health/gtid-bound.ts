import { gtidContains } from '../mysql/gtid.js';
import type { Flavor } from '../mysql/server-version.js';
import type { Lag } from './lag.js';

/**
 * A lag bound that needs no heartbeat writer (ARCHITECTURE.md, "Lag and
 * readiness"). The replica's sidecar reads its source's executed GTID set; the
 * query was sent at `sentAt` on the sidecar's own monotonic clock, so the set
 * holds every transaction the source committed before `sentAt`. Once the
 * replica has applied that set, nothing it lacks was committed before
 * `sentAt`: its lag is at most `now - sentAt`. One clock measures both ends,
 * so neither host's wall clock nor its time zone can move the figure, and a
 * slow round trip only makes it larger.
 */
export interface GtidSnapshot {
  /** performance.now() just before the query was sent. */
  readonly sentAt: number;
  /** performance.now() when the answer arrived: the source had these by then. */
  readonly receivedAt: number;
  /** The source's gtid_binlog_pos (MariaDB) or gtid_executed (MySQL). */
  readonly gtid: string;
}

/** What the snapshots say at one check: a bound, or why there is none. */
export type SnapshotBound = { readonly known: true; readonly seconds: number } | { readonly known: false; readonly reason: string };

/**
 * The newest snapshot the replica has applied gives the tightest bound. No
 * snapshot is read while the source does not answer: the bound would still be
 * true, but it would only grow, and "the source does not answer" is what the
 * operator needs to read.
 */
export function boundFromSnapshots(input: {
  flavor: Flavor;
  /** Oldest first. */
  snapshots: readonly GtidSnapshot[];
  /** The replica's applied position, read at or before `now`: MariaDB gtid_slave_pos, MySQL gtid_executed. */
  applied: string;
  now: number;
  /** When the source last answered, and the last failure to read it, if any since. */
  lastAnswerAt: number | undefined;
  lastError: string | undefined;
  /** Older than this, the last answer says nothing about the source now. */
  freshMs: number;
}): SnapshotBound {
  const { now } = input;
  if (input.lastAnswerAt === undefined || now - input.lastAnswerAt > input.freshMs) {
    const since = input.lastAnswerAt === undefined ? '' : ` for ${((now - input.lastAnswerAt) / 1000).toFixed(1)} s`;
    return { known: false, reason: `the source's GTID position could not be read${since}${input.lastError === undefined ? '' : `: ${input.lastError}`}` };
  }
  for (let i = input.snapshots.length - 1; i >= 0; i--) {
    const snapshot = input.snapshots[i];
    if (snapshot !== undefined && gtidContains(input.flavor, input.applied, snapshot.gtid)) return { known: true, seconds: Math.max(0, now - snapshot.sentAt) / 1000 };
  }
  const oldest = input.snapshots[0];
  if (oldest === undefined) return { known: false, reason: "no GTID snapshot of the source yet" };
  return {
    known: false,
    reason: `this replica has not applied the source's GTID position of ${((now - oldest.receivedAt) / 1000).toFixed(1)} s ago (the oldest kept): at least that far behind, or it lacks transactions the source has`,
  };
}

/**
 * A heartbeat reading more than this above the snapshot bound is stale: its
 * writer stopped or lags. While the writer runs both read within about one
 * check interval (1 s) of the true lag, the heartbeat below the bound as a
 * rule, so half an interval more keeps the method steady; and the margin is
 * all a stopped writer can add to the reported lag before the bound takes
 * over, so it must stay well below a low READY_MAX_LAG_SECONDS (3 s in tests).
 */
export const HEARTBEAT_STALE_MARGIN_SECONDS = 1.5;

const PRECISION = 'an upper bound from the source\'s GTID position, read by this sidecar once a second: up to about 1 s (plus the round trip) above the true lag';

/**
 * Both the heartbeat's age and the snapshot bound are upper bounds of the lag,
 * so the smaller one is reported; the heartbeat is kept unless it is stale by
 * more than the margin, so `method` says `gtid-snapshot` only when the
 * heartbeat cannot measure (no row, a future or non-UTC one, the writer
 * stopped): what an alert on replicas looks for.
 */
export function combineLag(heartbeat: Lag, snapshot: SnapshotBound): Lag {
  if (!snapshot.known) {
    if (heartbeat.known) return heartbeat;
    return { known: false, reason: `${heartbeat.reason}; and no GTID bound: ${snapshot.reason}` };
  }
  const seconds = snapshot.seconds;
  if (!heartbeat.known) return { known: true, seconds, method: 'gtid-snapshot', note: `${PRECISION}; the heartbeat cannot measure: ${heartbeat.reason}` };
  if (heartbeat.seconds - seconds <= HEARTBEAT_STALE_MARGIN_SECONDS) return heartbeat;
  return {
    known: true,
    seconds,
    method: 'gtid-snapshot',
    note: `${PRECISION}; the heartbeat reads ${heartbeat.seconds.toFixed(1)} s: its writer (the primary's sidecar) has stopped or lags`,
  };
}
