import { formatTable } from '../../src/cli/table.js';
import type { MethodKey } from './method.js';

const MIB = 1024 * 1024;

/** One method's median at one data size: the input of the growth figures. */
export interface SizePoint {
  readonly key: MethodKey;
  readonly label: string;
  readonly dataBytes: number;
  readonly medianSeconds: number;
}

/**
 * How a method's clone time grows with the data, from its medians at two
 * sizes. A time ratio below the data ratio means a fixed cost (start-up,
 * discovery, prepare of the system tables) that the larger copy amortises;
 * the straight line through the two points splits the time into that fixed
 * part and a per-MiB part (its inverse is the marginal throughput).
 */
export interface CloneGrowth {
  readonly key: MethodKey;
  readonly label: string;
  readonly smallMib: number;
  readonly largeMib: number;
  readonly smallSeconds: number;
  readonly largeSeconds: number;
  readonly smallMibPerSecond: number;
  readonly largeMibPerSecond: number;
  /** large data / small data. */
  readonly dataRatio: number;
  /** large time / small time. */
  readonly timeRatio: number;
  /** The line's intercept: seconds a clone of nothing would take (can come out negative on a noisy machine). */
  readonly fixedSeconds: number;
  /** 1 / slope: MiB/s of each MiB beyond the small size; null when the large copy was not slower (noise). */
  readonly marginalMibPerSecond: number | null;
}

export function growthOf(small: SizePoint, large: SizePoint): CloneGrowth {
  if (small.key !== large.key) throw new Error(`growth of ${small.key} against ${large.key}: not the same method`);
  if (large.dataBytes <= small.dataBytes) throw new Error(`growth of ${small.key}: the large size (${large.dataBytes} bytes) is not larger than the small one`);
  const smallMib = small.dataBytes / MIB;
  const largeMib = large.dataBytes / MIB;
  const secondsPerMib = (large.medianSeconds - small.medianSeconds) / (largeMib - smallMib);
  return {
    key: small.key,
    label: small.label,
    smallMib,
    largeMib,
    smallSeconds: small.medianSeconds,
    largeSeconds: large.medianSeconds,
    smallMibPerSecond: smallMib / small.medianSeconds,
    largeMibPerSecond: largeMib / large.medianSeconds,
    dataRatio: largeMib / smallMib,
    timeRatio: large.medianSeconds / small.medianSeconds,
    fixedSeconds: small.medianSeconds - secondsPerMib * smallMib,
    marginalMibPerSecond: secondsPerMib > 0 ? 1 / secondsPerMib : null,
  };
}

/** Growth of every method timed at both sizes, in the order of `small`. */
export function growthOfAll(small: readonly SizePoint[], large: readonly SizePoint[]): CloneGrowth[] {
  return small.flatMap((point) => {
    const other = large.find((candidate) => candidate.key === point.key);
    return other === undefined ? [] : [growthOf(point, other)];
  });
}

export function renderGrowth(growth: readonly CloneGrowth[]): string {
  return formatTable(
    ['method', 'small s', 'large s', 'MiB/s small', 'MiB/s large', 'time ×', 'data ×', 'fixed s', 'marginal MiB/s'],
    growth.map((g) => [
      g.label,
      g.smallSeconds.toFixed(2),
      g.largeSeconds.toFixed(2),
      g.smallMibPerSecond.toFixed(1),
      g.largeMibPerSecond.toFixed(1),
      g.timeRatio.toFixed(2),
      g.dataRatio.toFixed(2),
      g.fixedSeconds.toFixed(2),
      g.marginalMibPerSecond === null ? '-' : g.marginalMibPerSecond.toFixed(1),
    ]),
  );
}
