/**
 * Replication lag, measured the pt-heartbeat way: the replica's clock minus the
 * last heartbeat the primary wrote that the replica has applied (both UTC),
 * never below the server's own Seconds_Behind while both threads run.
 * Unknown is never zero: a replica that has no heartbeat of the primary, whose
 * heartbeat went stale while its IO thread is down, or whose heartbeat lies in
 * the future cannot say how far behind it is, and a number would lie
 * (ARCHITECTURE.md, "Lag and readiness").
 */

/**
 * What the number came from: `heartbeat` (the heartbeat's age, raised to
 * Seconds_Behind where that is higher within its resolution),
 * `seconds-behind` (the server's own figure, grossly above the heartbeat's) or
 * `gtid-snapshot` (the bound from the source's GTID position, where the
 * heartbeat cannot measure or is stale: see gtid-bound.ts).
 */
export type LagMethod = 'heartbeat' | 'seconds-behind' | 'gtid-snapshot';

export type Lag =
  | {
      readonly known: true;
      readonly seconds: number;
      /** computeLag always sets it; a lag made elsewhere without it is the heartbeat's. */
      readonly method?: LagMethod;
      /** Why the figure is not the heartbeat's own age. */
      readonly note?: string;
    }
  | { readonly known: false; readonly reason: string };

/**
 * How far ahead of the replica's clock a heartbeat may be and still count as
 * 0 s. On one clock a heartbeat is never ahead (it is written before it is
 * applied), so only skew makes it so; NTP keeps hosts within milliseconds. One
 * second is the heartbeat's own resolution (a reading is up to one period
 * old anyway), so skew below it cannot move the lag by more than the
 * measurement's error; more is a clock or time-zone fault to report.
 */
export const FUTURE_TOLERANCE_MS = 1000;

/**
 * Seconds_Behind is whole seconds computed from two truncated values (the
 * event's timestamp and the source's clock difference taken at connect), so
 * it can read up to 2 s above the heartbeat without either being wrong.
 */
export const SECONDS_BEHIND_SLACK_SECONDS = 2;

export const NO_HEARTBEAT_YET = 'no heartbeat received yet';

/** With a thread down, NULL is expected and the thread is the reason; with both running, the server itself cannot tell. */
export const SECONDS_BEHIND_NULL = 'the server reports Seconds_Behind as NULL although both replication threads run';

export function computeLag(input: {
  /** The primary's applied heartbeat (ms since epoch, UTC). */
  heartbeatAt: number;
  /** The replica server's own clock at the same read (ms since epoch, UTC). */
  replicaNow: number;
  ioRunning: boolean;
  sqlRunning: boolean;
  /** The server's own Seconds_Behind_Source/Master (NULL while a thread is down or the server cannot tell). */
  secondsBehind: number | null;
  heartbeatIntervalMs: number;
}): Lag {
  // Compared in whole ms: seconds × 1000 does not always give the ms back (2007 ms → 2007.0000000000002).
  const ageMs = input.replicaNow - input.heartbeatAt;
  if (ageMs < -FUTURE_TOLERANCE_MS) {
    return {
      known: false,
      reason: `the heartbeat is ${(-ageMs / 1000).toFixed(1)} s in the future: likely a writer not using UTC (pt-heartbeat needs --utc) or clock skew between primary and replica`,
    };
  }
  // Within the tolerance a heartbeat ahead of the clock is as fresh as can be measured.
  const heartbeatSeconds = Math.max(0, ageMs / 1000);
  if (!input.ioRunning && ageMs > 2 * input.heartbeatIntervalMs) {
    return { known: false, reason: `the IO thread is down and the last heartbeat is ${heartbeatSeconds.toFixed(1)} s old` };
  }
  if (!input.ioRunning || !input.sqlRunning) return { known: true, seconds: heartbeatSeconds, method: 'heartbeat' };
  if (input.secondsBehind === null) return { known: false, reason: SECONDS_BEHIND_NULL };
  return crossCheck(heartbeatSeconds, input.secondsBehind);
}

/**
 * Both threads run, so the server's Seconds_Behind is a second opinion: the
 * larger of the two is reported, never less than the server says. A primary
 * whose clock is ahead of the replica's makes the heartbeat too young (a
 * lie towards Ready), while Seconds_Behind corrects for the clock difference;
 * a long transaction makes Seconds_Behind too high, a lie towards not Ready,
 * which is the safe side.
 */
function crossCheck(heartbeatSeconds: number, secondsBehind: number): Lag {
  const seconds = Math.max(heartbeatSeconds, secondsBehind);
  if (secondsBehind - heartbeatSeconds <= SECONDS_BEHIND_SLACK_SECONDS) return { known: true, seconds, method: 'heartbeat' };
  return {
    known: true,
    seconds,
    method: 'seconds-behind',
    note: `the server's Seconds_Behind ${secondsBehind} s is above the heartbeat's ${heartbeatSeconds.toFixed(1)} s: the larger is reported (the primary's clock ahead of this replica's, a heartbeat writer not using UTC, or a long transaction)`,
  };
}

/**
 * The primary's heartbeat from what the table holds: only the row of the
 * primary's server_id counts. A row of another server_id is another writer's
 * (pt-heartbeat run with its own server_id, a previous primary) and says
 * nothing about this set's primary.
 */
export function primaryHeartbeat(input: {
  primaryServerId: number;
  /** The `ts` of the primary's row, undefined when it has none. */
  ts: string | undefined;
  otherServerIds: readonly number[];
}): { readonly at: number } | { readonly reason: string } {
  const primary = `the primary (server_id ${input.primaryServerId})`;
  if (input.ts === undefined) {
    const others = input.otherServerIds.length === 0 ? '' : `; the rows of server_id ${input.otherServerIds.join(', ')} are another writer's, not this set's primary's, and are not used`;
    return { reason: `no heartbeat row of ${primary}: not replicated yet, or deleted${others}` };
  }
  const at = parseHeartbeatTs(input.ts);
  return at === undefined ? { reason: `the heartbeat row of ${primary} holds ${JSON.stringify(input.ts)}, not UTC text YYYY-MM-DDTHH:MM:SS.ffffff` } : { at };
}

/**
 * pt-heartbeat writes `ts` as UTC text `YYYY-MM-DDTHH:MM:SS.ffffff`. An
 * impossible date or time (Feb 30, 24:00) is undefined: Date.parse would roll
 * it over into another instant.
 */
export function parseHeartbeatTs(text: string): number | undefined {
  const match = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d{1,6})?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}T${match[2]}${(match[3] ?? '').slice(0, 4)}Z`);
  if (Number.isNaN(ms)) return undefined;
  const iso = new Date(ms).toISOString();
  return iso.slice(0, 10) === match[1] && iso.slice(11, 19) === match[2] ? ms : undefined;
}
