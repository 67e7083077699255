import { expect } from 'vitest';
import type { NothingLostReport } from './nothing-lost.js';

/**
 * The assertions every scenario makes on checkNothingLost's report: no pod
 * misses an acknowledged row, every pod has as many rows as the primary
 * (which has at least every acknowledged one), all checksums agree, and
 * `--all-databases` dumps succeed on every pod.
 */
export function expectNothingLost(report: NothingLostReport, pods: readonly string[], primary = 'mysql-0'): void {
  const onPrimary = report.rowsPerPod[primary] ?? -1;
  expect(report.rowsWritten).toBeGreaterThan(0);
  expect(onPrimary).toBeGreaterThanOrEqual(report.rowsWritten);
  expect(report.missing).toEqual(Object.fromEntries(pods.map((pod) => [pod, []])));
  expect(report.rowsPerPod).toEqual(Object.fromEntries(pods.map((pod) => [pod, onPrimary])));
  expect(report.checksumsEqual).toBe(true);
  expect(report.dumps).toEqual(Object.fromEntries(pods.map((pod) => [pod, 'ok'])));
}
