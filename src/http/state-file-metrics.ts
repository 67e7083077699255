import { Gauge, type Registry } from 'prom-client';
import type { DamagedFile } from '../data-dir/state-file.js';
import { STATE_FILES } from '../data-dir/state-files.js';
import { METRIC_PREFIX as P } from './metrics.js';

/** 1 for each of the agent's files found damaged when the sidecar started, 0 for the others (ARCHITECTURE.md, "Damaged state files"). */
export function registerStateFileMetric(registry: Registry, damaged: readonly DamagedFile[]): void {
  const gauge = new Gauge({
    name: `${P}state_file_damaged`,
    help: "1 when the agent's own file (label file) was found damaged when the sidecar started; /status says what to do.",
    labelNames: ['file'] as const,
    registers: [registry],
  });
  for (const file of STATE_FILES) gauge.set({ file }, damaged.some((entry) => entry.file === file) ? 1 : 0);
}
