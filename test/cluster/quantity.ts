/** Kubernetes' quantity suffixes for bytes: binary (Ki…Ei) and decimal (k…E). */
const MULTIPLIERS: Record<string, number> = {
  '': 1,
  Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30, Ti: 2 ** 40, Pi: 2 ** 50, Ei: 2 ** 60,
  k: 1e3, M: 1e6, G: 1e9, T: 1e12, P: 1e15, E: 1e18,
};

/**
 * A manifest's memory quantity ("512Mi", "1Gi", "1.5G", "128974848") in
 * bytes, for podman's --memory. The exponent (1e3) and milli (m) forms are
 * refused: no memory limit is written that way, and a misread limit would
 * let a test pass that a cluster would fail by OOM kill.
 */
export function quantityBytes(quantity: string): number {
  const match = /^(\d+(?:\.\d+)?)([KMGTPE]i|[kMGTPE])?$/.exec(quantity.trim());
  const multiplier = MULTIPLIERS[match?.[2] ?? ''];
  if (match === null || multiplier === undefined) throw new Error(`memory quantity ${JSON.stringify(quantity)}: expected a number with a suffix such as Mi or Gi`);
  return Math.round(Number(match[1]) * multiplier);
}
