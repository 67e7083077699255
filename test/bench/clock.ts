/** Seconds since a `process.hrtime.bigint()` reading: monotonic, unlike Date.now(). */
export function elapsedSince(started: bigint): number {
  return Number(process.hrtime.bigint() - started) / 1e9;
}
