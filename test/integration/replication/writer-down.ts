import { expect } from 'vitest';
import { startSidecar, waitForSidecar } from '../../cluster/agent.js';
import { sleep } from '../../cluster/wait.js';
import { stopSidecar } from '../../e2e/support/pod-lifecycle.js';
import { metricsOf, readyzOf, sample, statusOf, waitForReadyz, waitForStatus, waitForWrites } from '../../support/pod-probes.js';
import type { OperatorSql } from '../../support/server-sql.js';
import { writerOn, type LagSet } from './lag-honesty.js';

/**
 * Issue 12, "the primary's sidecar must not take the read service down":
 * mysql-0's sidecar (the heartbeat writer) stopped while mysqld takes writes.
 * The replica must stay Ready, measuring by the GTID snapshot bound; and the
 * bound must still take a replica that really is behind out (a delayed or a
 * stopped SQL thread), since no heartbeat hides or shows anything here.
 */

/** How long the replica is watched after the heartbeat stopped: several times the threshold plus the heartbeat's margin. */
const WATCH_MS = 12_000;

export async function expectAWriterlessPrimaryToKeepReplicasHonest(set: LagSet, sql: OperatorSql, maxLagSeconds: number): Promise<void> {
  const { primary, replica } = set;
  await waitForReadyz(replica, 200, { timeoutMs: 30_000 });
  const writer = await writerOn(primary, 'app.rows_writer_down');
  writer.start();
  try {
    await waitForWrites(writer, 50);
    await stopSidecar(primary);
    const stoppedAt = Date.now();
    const answers: Array<{ status: number; reasons: readonly string[] }> = [];
    let asked = 0;
    while (Date.now() - stoppedAt < WATCH_MS) {
      const readyz = await readyzOf(replica);
      asked += 1;
      if (readyz.status !== 200) answers.push(readyz);
      await sleep(250);
    }
    // Every /readyz while the heartbeat writer was down and rows kept coming: 200.
    expect(answers).toEqual([]);
    // Rows still arrive on the primary: the writer was not what stopped.
    await waitForWrites(writer, 20);
    const current = await statusOf(replica);
    expect(current.lag).toMatchObject({ known: true, method: 'gtid-snapshot', reason: null });
    expect(current.lag?.seconds).toBeLessThanOrEqual(maxLagSeconds / 2);
    console.log(`${replica.name}: heartbeat writer stopped, rows flowing: ${asked - answers.length} of ${asked} /readyz answers 200 over ${WATCH_MS / 1000} s; lag ${current.lag?.seconds?.toFixed(2)} s by ${current.lag?.method}`);
    expect(current.lag?.note).toMatch(/^an upper bound from the source's GTID position, .*; the heartbeat reads [\d.]+ s: its writer \(the primary's sidecar\) has stopped or lags$/);
    expect(sample(await metricsOf(replica), 'mysql_sts_replication_lag_from_heartbeat')).toBe('0');

    await expectADelayedReplicaToBeOut(set, sql, maxLagSeconds);
    await expectAStoppedSqlThreadToBeOut(set, sql, maxLagSeconds);
  } finally {
    await writer.stop();
    startSidecar(set.cluster, primary, set.env);
    await waitForSidecar(primary);
  }
  expect(writer.errors).toBe(0);
  const back = await waitForStatus(replica, 'the heartbeat to measure again', (doc) => doc.ready && doc.lag?.method === 'heartbeat', 30_000);
  expect(back.lag).toMatchObject({ known: true, reason: null, note: null });
  expect(sample(await metricsOf(replica), 'mysql_sts_replication_lag_from_heartbeat')).toBe('1');
}

/** SOURCE_DELAY/MASTER_DELAY 8 s under writes, no heartbeat: the bound grows above the threshold and says why. */
async function expectADelayedReplicaToBeOut(set: LagSet, sql: OperatorSql, maxLagSeconds: number): Promise<void> {
  const { replica } = set;
  await replica.query(sql.stopReplica);
  await replica.query(sql.setDelay(8));
  await replica.query(sql.startReplica);
  try {
    const out = await waitForReadyz(replica, 503, { timeoutMs: 20_000, reasons: [new RegExp(`^lag [\\d.]+ s is above the ${maxLagSeconds} s threshold$`)] });
    // Only the lag: both threads run, no error.
    expect(out.reasons).toHaveLength(1);
    const document = await statusOf(replica);
    expect(document.lag).toMatchObject({ known: true, method: 'gtid-snapshot' });
    expect(document.lag?.seconds).toBeGreaterThan(maxLagSeconds);
    expect(document.replication).toMatchObject({ ioRunning: true, sqlRunning: true, sqlDelay: 8, lastIoErrno: 0, lastSqlErrno: 0 });
  } finally {
    await replica.query(sql.stopReplica);
    await replica.query(sql.setDelay(0));
    await replica.query(sql.startReplica);
  }
  await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
}

/** The SQL thread stopped, the IO thread still receiving: the thread is the fact, and the bound grows past the threshold beside it. */
async function expectAStoppedSqlThreadToBeOut(set: LagSet, sql: OperatorSql, maxLagSeconds: number): Promise<void> {
  const { replica } = set;
  await replica.query(sql.stopSqlThread);
  try {
    const out = await waitForReadyz(replica, 503, {
      timeoutMs: 20_000,
      reasons: [/^the SQL thread is not running$/, new RegExp(`^lag [\\d.]+ s is above the ${maxLagSeconds} s threshold$`)],
    });
    expect(out.reasons).toHaveLength(2);
    const document = await statusOf(replica);
    expect(document.lag).toMatchObject({ known: true, method: 'gtid-snapshot' });
    expect(document.replication).toMatchObject({ ioRunning: true, sqlRunning: false, lastSqlErrno: 0 });
  } finally {
    await replica.query(sql.startSqlThread);
  }
  await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
}
