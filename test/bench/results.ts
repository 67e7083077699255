import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedData } from './load.js';
import type { MachineInfo } from './machine.js';
import type { MethodResult, MethodSummary, TargetCheck } from './report.js';
import type { BenchSettings } from './settings.js';

/** bench-results/ is git-ignored: results belong to a machine and a moment, not to the repository. */
export const RESULTS_FILE = fileURLToPath(new URL('../../bench-results/clone.json', import.meta.url));

export interface BenchResults {
  readonly benchmark: 'clone';
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly settings: BenchSettings & { readonly parallel: number; readonly sharedFlags: string };
  readonly machine: MachineInfo & {
    readonly loadAvgAtStart: readonly number[];
    readonly loadAvgAtEnd: readonly number[];
    /** Share of all CPUs busy (0..1) over one second before the cluster came up: other work on the machine. */
    readonly busyBeforeStart: number;
  };
  readonly data: LoadedData;
  readonly methods: readonly (MethodSummary & { readonly runs: MethodResult['runs'] })[];
  readonly targets: readonly TargetCheck[];
}

export async function writeResults(results: BenchResults): Promise<string> {
  await mkdir(dirname(RESULTS_FILE), { recursive: true });
  await writeFile(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  return RESULTS_FILE;
}
