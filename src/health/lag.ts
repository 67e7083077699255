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
}): Lag {
  if (input.heartbeatAt === undefined) return { known: false, reason: 'no heartbeat received yet' };
  const seconds = Math.max(0, (input.replicaNow - input.heartbeatAt) / 1000);
  if (!input.ioRunning && seconds * 1000 > 2 * input.heartbeatIntervalMs) {
    return { known: false, reason: `the IO thread is down and the last heartbeat is ${seconds.toFixed(1)} s old` };
  }
  return { known: true, seconds };
}

/** pt-heartbeat writes `ts` as UTC text `YYYY-MM-DDTHH:MM:SS.ffffff`. */
export function parseHeartbeatTs(text: string): number | undefined {
  const match = /^(\d{4}-\d\d-\d\d)[T ](\d\d:\d\d:\d\d)(\.\d{1,6})?$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Date.parse(`${match[1]}T${match[2]}${(match[3] ?? '').slice(0, 4)}Z`);
  return Number.isNaN(ms) ? undefined : ms;
}
