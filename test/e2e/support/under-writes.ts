import type { Connection } from 'mysql2/promise';
import { expect } from 'vitest';
import { RowWriter } from '../../support/row-writer.js';
import { waitForWrites } from '../../support/pod-probes.js';
import type { NothingLostReport } from './nothing-lost.js';

/**
 * A scenario runs while a writer inserts numbered rows on mysql-0: writes
 * flow before the fault and again after it, so the final check proves that
 * rows written on both sides of the fault reached every pod.
 */

export interface Written<T> {
  readonly result: T;
  readonly acknowledged: number[];
  /** Inserts that failed (a primary that was down): proof the fault was felt. */
  readonly errors: number;
}

/** `connect` reaches the current mysql-0 (the pod may be recreated during the scenario). */
export async function underWrites<T>(
  connect: () => Promise<Connection>,
  table: string,
  scenario: (writer: RowWriter) => Promise<T>,
): Promise<Written<T>> {
  const setup = await connect();
  try {
    await setup.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, note VARCHAR(64))`);
  } finally {
    await setup.end();
  }
  const writer = new RowWriter(connect, table);
  writer.start();
  let result: T;
  try {
    await waitForWrites(writer, 20);
    result = await scenario(writer);
    // Generous: after a primary restart the writer reconnects with a pause between tries.
    await waitForWrites(writer, 20, 60_000);
  } finally {
    await writer.stop();
  }
  return { result, acknowledged: writer.acknowledged, errors: writer.errors };
}

/** The assertion every data scenario ends with: no acknowledged row missing anywhere, equal counts, equal checksums. */
export function expectNothingLost(report: NothingLostReport): void {
  for (const [pod, missing] of Object.entries(report.missing)) expect({ pod, missing }).toEqual({ pod, missing: [] });
  const counts = Object.values(report.rowsPerPod);
  expect(counts.length).toBeGreaterThan(1);
  expect(new Set(counts).size, JSON.stringify(report.rowsPerPod)).toBe(1);
  expect(counts[0]).toBeGreaterThanOrEqual(report.rowsWritten);
  expect(report.checksumsEqual).toBe(true);
}
