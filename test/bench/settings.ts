/**
 * What a benchmark run may be told through the environment. Parsed strictly:
 * a typo must not silently fall back to the default and produce a 15-minute
 * run nobody asked for.
 */
export interface BenchSettings {
  /** Payload of incompressible rows loaded into mysql-0, in MiB (the table on disk is a little larger). */
  readonly dataMb: number;
  /** Timed runs per method; the median is reported. */
  readonly runs: number;
}

export const DEFAULT_DATA_MB = 512;
export const DEFAULT_RUNS = 5;

export function readSettings(env: NodeJS.ProcessEnv): BenchSettings {
  return {
    dataMb: readInt(env, 'BENCH_DATA_MB', DEFAULT_DATA_MB, 1, 16_384),
    // One run has no median worth the name; two is the least the brief allows.
    runs: readInt(env, 'BENCH_RUNS', DEFAULT_RUNS, 2, 15),
  };
}

function readInt(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const text = env[name];
  if (text === undefined || text.trim() === '') return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${name}=${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}
