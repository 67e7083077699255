import { expect } from 'vitest';
import type { Cluster } from '../../cluster/cluster.js';
import { waitForWrites } from '../../support/pod-probes.js';
import { RowWriter } from '../../support/row-writer.js';
import { expectNothingLost } from './expect-nothing-lost.js';
import { checkNothingLost } from './nothing-lost.js';

/**
 * Runs `during` with a RowWriter on mysql-0's new `table` (rows before and
 * after it), then checks that every pod has every acknowledged row; `during`
 * returns the time to Ready for the scenario table.
 */
export async function withWriter(
  cluster: Cluster,
  scenario: string,
  table: string,
  during: (writer: RowWriter) => Promise<number | undefined>,
): Promise<void> {
  const primary = cluster.pod(0);
  await primary.query(`CREATE TABLE ${table} (id INT PRIMARY KEY, note VARCHAR(64))`);
  const writer = new RowWriter(() => primary.connect(), table);
  writer.start();
  let acknowledged: number[];
  let timeToReadyMs: number | undefined;
  try {
    await waitForWrites(writer, 20);
    timeToReadyMs = await during(writer);
    await waitForWrites(writer, 20);
  } finally {
    acknowledged = await writer.stop();
  }
  expect(writer.errors).toBe(0);
  const pods = cluster.listPods();
  const report = await checkNothingLost({ scenario, primary, replicas: pods.slice(1), acknowledged, table, timeToReadyMs });
  expectNothingLost(report, pods.map((pod) => pod.name));
}
