/**
 * Replication lag, measured the pt-heartbeat way: the replica's clock minus the
 * last heartbeat the primary wrote that the replica has applied (both UTC).
 * Unknown is never zero: a replica that has seen no heartbeat, or whose
 * heartbeat went stale while its IO thread is down, cannot say how far behind
 * it is, and a number would lie.
 */
export type Lag =
  | { readonly known: true; readonly seconds: number }
  | { readonly known: false; readonly reason: string };

export function computeLag(input: {
  /** The applied heartbeat's timestamp (ms since epoch, UTC), undefined when none was ever applied. */
  heartbeatAt: number | undefined;
  /** The replica server's own clock at the same read (ms since epoch, UTC). */
  replicaNow: number;
  ioRunning: boolean;
  heartbeatIntervalMs: number;
  /** Optional: the SQL thread and the server's own Seconds_Behind, to spot a NULL while both threads run. */
  sqlRunning?: boolean;
  secondsBehind?: number | null;
}): Lag {
  if (input.heartbeatAt === undefined) return { known: false, reason: 'no heartbeat received yet' };
  // Compared in whole ms: seconds × 1000 does not always give the ms back (2007 ms → 2007.0000000000002).
  const ageMs = input.replicaNow - input.heartbeatAt;
  const seconds = Math.max(0, ageMs / 1000);
  if (!input.ioRunning && ageMs > 2 * input.heartbeatIntervalMs) {
    return { known: false, reason: `the IO thread is down and the last heartbeat is ${seconds.toFixed(1)} s old` };
  }
  if (input.ioRunning && input.sqlRunning === true && input.secondsBehind === null) return { known: false, reason: SECONDS_BEHIND_NULL };
  return { known: true, seconds };
}

/** With a thread down, NULL is expected and the thread is the reason; with both running, the server itself cannot tell. */
export const SECONDS_BEHIND_NULL = 'the server reports Seconds_Behind as NULL although both replication threads run';

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
