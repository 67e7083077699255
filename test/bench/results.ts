import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CloneResults } from './clone-section.js';
import type { ImageResults } from './image-section.js';
import type { MachineInfo } from './machine.js';
import type { MysqlResults } from './mysql-section.js';
import type { ProbeResults } from './probes.js';
import type { ReadyResults } from './ready-section.js';
import type { BenchSection } from './settings.js';
import { round } from './stats.js';
import type { SummaryRow } from './summary.js';

/**
 * bench-results/ is git-ignored: results belong to a machine and a moment, not
 * to the repository. A full run writes bench.json (it replaced clone.json when
 * the probe section came: the clone results are its `clone` key; `summary` is
 * the final table, `targets` of earlier versions is in it); a run of some
 * sections (BENCH_ONLY) writes bench-<section>[+<section>…].json, so it never overwrites the
 * last full run. BENCH_RESULTS names another file (the bench's smoke test
 * writes to a temp dir, never over a real run's results).
 */
export function resultsFile(only: readonly BenchSection[] | undefined): string {
  const chosen = process.env.BENCH_RESULTS;
  if (chosen !== undefined && chosen !== '') return chosen;
  return fileURLToPath(new URL(`../../bench-results/${only === undefined ? 'bench' : `bench-${only.join('+')}`}.json`, import.meta.url));
}

export interface BenchResults {
  readonly benchmark: 'mysql-sts-agent';
  readonly only: readonly BenchSection[] | null;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly machine: MachineInfo & {
    readonly loadAvgAtStart: readonly number[];
    readonly loadAvgAtEnd: readonly number[];
    /** Share of all CPUs busy (0..1) over one second before the cluster came up: other work on the machine. */
    readonly busyBeforeStart: number;
    /** VERSION() of each set's mysql-0 (MariaDB for clone/ready/probes, MySQL for mysql-*). */
    readonly servers: Readonly<Record<string, string>>;
  };
  /** The final table as printed: value, same-run baseline, ratio, target, for every section that ran. */
  readonly summary: readonly SummaryRow[];
  /** Every detail; absent when BENCH_ONLY left the section out. */
  readonly clone?: CloneResults;
  readonly ready?: ReadyResults;
  readonly probes?: ProbeResults;
  readonly image?: ImageResults;
  readonly mysqlClone?: MysqlResults;
  readonly mysqlReady?: MysqlResults;
}

export async function writeResults(results: BenchResults): Promise<string> {
  const file = resultsFile(results.only ?? undefined);
  await mkdir(dirname(file), { recursive: true });
  // Fractions to 4 decimals (ratios, shares, seconds): the file diffs readably between runs.
  const rounded = (_key: string, value: unknown) => (typeof value === 'number' && !Number.isInteger(value) ? round(value, 4) : value);
  await writeFile(file, `${JSON.stringify(results, rounded, 2)}\n`);
  return file;
}
