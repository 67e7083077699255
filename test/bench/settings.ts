/**
 * What a benchmark run may be told through the environment. Parsed strictly:
 * a typo must not silently fall back to the default and produce a 15-minute
 * run nobody asked for.
 */
export type BenchSection = 'clone' | 'ready' | 'probes' | 'image' | 'mysql-clone' | 'mysql-ready';
/** On a MariaDB 10.11 set, then on a MySQL 9.7 set (one cluster each, one after the other). */
export const MARIADB_SECTIONS: readonly BenchSection[] = ['clone', 'ready', 'probes', 'image'];
export const MYSQL_SECTIONS: readonly BenchSection[] = ['mysql-clone', 'mysql-ready'];
export const SECTIONS: readonly BenchSection[] = [...MARIADB_SECTIONS, ...MYSQL_SECTIONS];

export interface BenchSettings {
  /** Payload of incompressible rows loaded into mysql-0, in MiB (the table on disk is a little larger): the large size. */
  readonly dataMb: number;
  /** The small size, timed first (agent and raw only), so the growth of the cost with the data shows. */
  readonly smallDataMb: number;
  /** Timed runs per method and size (mysql-clone: per path); the median is reported. */
  readonly runs: number;
  /** BENCH_SMOKE=1: the least of every run count and window, which proves each path runs and measures nothing. */
  readonly smoke: boolean;
  /** Timed runs per path (agent, by hand) of the empty pod → Ready sections (MariaDB and MySQL). */
  readonly readyRuns: number;
  /** BENCH_ONLY: the sections to run (one, or a comma-separated list, e.g. `ready,mysql-ready`); unset runs them all. */
  readonly only: readonly BenchSection[] | undefined;
  /** Requests per second of the probe load windows. */
  readonly probeRate: number;
  /** Measured seconds of each probe load window. */
  readonly probeSeconds: number;
}

export const DEFAULT_DATA_MB = 512;
export const DEFAULT_RUNS = 5;
export const DEFAULT_READY_RUNS = 3;
export const DEFAULT_PROBE_RATE = 1000;
export const DEFAULT_PROBE_SECONDS = 10;

export function readSettings(env: NodeJS.ProcessEnv): BenchSettings {
  const dataMb = readInt(env, 'BENCH_DATA_MB', DEFAULT_DATA_MB, 2, 16_384);
  // A quarter by default: 128 MiB against 512, and BENCH_DATA_MB=64 alone still gives two sizes.
  const smallDataMb = readInt(env, 'BENCH_SMALL_DATA_MB', Math.max(1, Math.round(dataMb / 4)), 1, dataMb - 1);
  const smoke = readSmoke(env);
  return {
    dataMb,
    smallDataMb,
    runs: smoke ? 1 : readInt(env, 'BENCH_RUNS', DEFAULT_RUNS, 2, 15),
    smoke,
    readyRuns: readInt(env, 'BENCH_READY_RUNS', DEFAULT_READY_RUNS, 1, 15),
    only: readSection(env),
    probeRate: readInt(env, 'BENCH_PROBE_RATE', DEFAULT_PROBE_RATE, 10, 10_000),
    probeSeconds: readInt(env, 'BENCH_PROBE_SECONDS', DEFAULT_PROBE_SECONDS, 1, 120),
  };
}

export function runsSection(settings: BenchSettings, section: BenchSection): boolean {
  return settings.only === undefined || settings.only.includes(section);
}

/** Whether any of `sections` runs: a cluster of that server is only made when one of its sections runs. */
export function runsAnyOf(settings: BenchSettings, sections: readonly BenchSection[]): boolean {
  return sections.some((section) => runsSection(settings, section));
}

/**
 * One run has no median worth the name: two is the least the brief allows for
 * a measurement (BENCH_RUNS). BENCH_SMOKE=1 (test/e2e/bench-smoke.test.ts)
 * runs each method and path once and shortens the fixed windows, which proves
 * every path runs and measures nothing.
 */
function readSmoke(env: NodeJS.ProcessEnv): boolean {
  const text = env.BENCH_SMOKE?.trim() ?? '';
  if (text !== '' && text !== '1') throw new Error(`BENCH_SMOKE=${JSON.stringify(text)}: expected 1 or nothing`);
  return text === '1';
}

function readSection(env: NodeJS.ProcessEnv): BenchSection[] | undefined {
  const text = env.BENCH_ONLY?.trim() ?? '';
  if (text === '') return undefined;
  return text.split(',').map((word) => {
    const section = SECTIONS.find((candidate) => candidate === word.trim());
    if (section === undefined) throw new Error(`BENCH_ONLY=${JSON.stringify(text)}: expected one or more of ${SECTIONS.join(', ')}, comma-separated`);
    return section;
  });
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
