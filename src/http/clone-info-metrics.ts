import { Counter, Gauge, type Registry } from 'prom-client';
import type { CloneAttemptReport } from '../clone/clone-plugin/report.js';
import type { CloneInfo } from '../data-dir/clone-info.js';
import { METRIC_PREFIX as P } from './metrics.js';

/**
 * This pod's own clone (ARCHITECTURE.md, "HTTP surface and metrics"): the one
 * its data dir came from, as recorded (absent when there was none), and a
 * CLONE-plugin clone in progress. Read from the loop's state at scrape time.
 */
export function registerCloneMetrics(registry: Registry, state: () => { cloneInfo: CloneInfo | undefined; cloning: CloneAttemptReport | undefined }): void {
  const recorded = (name: string, help: string, read: (info: CloneInfo) => number) =>
    new Gauge({
      name: `${P}${name}`,
      help,
      registers: [registry],
      collect() {
        this.reset();
        const info = state().cloneInfo;
        if (info !== undefined) this.set(read(info));
      },
    });
  recorded('clone_received_bytes', 'Bytes of the clone this pod was made from.', (info) => info.bytes);
  recorded('clone_duration_seconds', 'How long the clone this pod was made from took.', (info) => info.seconds);
  new Gauge({
    name: `${P}clone_info`,
    help: 'Constant 1, labelled with the donor this pod was cloned from.',
    labelNames: ['donor'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const info = state().cloneInfo;
      if (info !== undefined) this.set({ donor: info.donor }, 1);
    },
  });
  const cloning = (name: string, help: string, read: (report: CloneAttemptReport) => number) =>
    new Gauge({
      name: `${P}${name}`,
      help,
      registers: [registry],
      collect() {
        const report = state().cloning;
        this.set(report === undefined ? 0 : read(report));
      },
    });
  cloning('clone_receiving', '1 while this pod waits for or takes a CLONE-plugin clone.', (report) => (report.phase === 'done' ? 0 : 1));
  cloning('clone_receiving_bytes', 'Bytes of the CLONE-plugin clone in progress received so far.', (report) => report.progress?.bytes ?? 0);
  cloning('clone_receiving_estimated_bytes', 'Bytes the CLONE-plugin clone in progress is expected to copy.', (report) => report.progress?.estimatedBytes ?? 0);
  new Counter({
    name: `${P}clone_receive_failures_total`,
    help: 'CLONE-plugin clone attempts of this pod that failed (another donor or a later try follows).',
    registers: [registry],
    collect() {
      this.reset();
      this.inc(state().cloning?.failures ?? 0);
    },
  });
}
