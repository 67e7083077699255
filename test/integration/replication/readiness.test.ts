import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentPod, startSidecar, waitForSidecar } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { isAlive } from '../../cluster/processes.js';
import { sleep, waitFor } from '../../cluster/wait.js';
import { RowWriter } from '../../support/row-writer.js';
import { metricsOf, missingRows, readyzOf, sample, slaveStatusOf, statusOf, waitForReadyz, waitForSameData, waitForWrites, startPrimaryWithRows } from '../../support/pod-probes.js';

/** Faster flips than the defaults (3 checks, 10 s), so each scenario takes seconds. */
const MAX_LAG_SECONDS = 3;
const ENV = { READY_CHECKS: '2', READY_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS) };

describe('replication: readiness follows what the replica can serve', () => {
  let cluster: Cluster;
  let primary: Pod;
  let replica: Pod;

  beforeAll(async () => {
    cluster = await Cluster.create();
    primary = await startPrimaryWithRows(cluster, ENV);
    replica = await startAgentPod(cluster, 1, ENV);
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('a hung primary (kill -STOP) takes the replica out within seconds, lag unknown and never 0; resumed, it is Ready again by itself', async () => {
    await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
    const pausedAt = Date.now();
    primary.pauseServer();
    try {
      const notReady = await waitForReadyz(replica, 503, { timeoutMs: 12_000 });
      expect(notReady.ok).toBe(false);
      expect(notReady.reasons.length).toBeGreaterThan(0);
      expect(Date.now() - pausedAt).toBeLessThan(12_000);

      // Once the IO thread gives up on the silent primary, the lag is unknown, not a number.
      const document = await waitFor(async () => {
        const doc = await statusOf(replica);
        return doc.lag?.known === false ? doc : undefined;
      }, { what: `${replica.name}'s /status to say the lag is unknown`, timeoutMs: 15_000, intervalMs: 200 });
      expect(document.ready).toBe(false);
      expect(document.lag).toMatchObject({ known: false, seconds: null, method: 'heartbeat' });
      expect(document.lag?.reason).toMatch(/IO thread is down and the last heartbeat is [\d.]+ s old/);
      expect(document.replication?.ioRunning).toBe(false);

      const readyz = await readyzOf(replica);
      expect(readyz.status).toBe(503);
      expect(readyz.reasons).toContainEqual(expect.stringMatching(/^the IO thread is not running/));
      expect(readyz.reasons).toContainEqual(expect.stringMatching(/^lag unknown: /));

      // While the primary hangs the lag never reads 0: it is NaN with `known 0`.
      for (let i = 0; i < 5; i++) {
        const text = await metricsOf(replica);
        expect(sample(text, 'mysql_sts_replication_lag_known')).toBe('0');
        expect(sample(text, 'mysql_sts_replication_lag_seconds')).toBe('Nan');
        expect(sample(text, 'mysql_sts_replication_io_running')).toBe('0');
        expect(sample(text, 'mysql_sts_ready')).toBe('0');
        await sleep(300);
      }

      // The primary's own sidecar notices that its server hangs: not Ready either (its loop has a deadline).
      const primaryOut = await waitForReadyz(primary, 503, { timeoutMs: 20_000, reasons: [/the server does not answer/] });
      expect(primaryOut.reasons.join(' ')).toMatch(/did not answer within|ETIMEDOUT/);

      // SIGTERM still ends that sidecar promptly: nothing waits on the hung server for ever.
      const sidecar = primary.processes().find((record) => record.label === 'sidecar');
      if (sidecar === undefined) throw new Error(`${primary.name} has no sidecar`);
      const signalledAt = Date.now();
      process.kill(sidecar.pid, 'SIGTERM');
      await waitFor(async () => (isAlive(sidecar) ? undefined : true), { what: `${primary.name}'s sidecar to exit after SIGTERM`, timeoutMs: 10_000 });
      expect(Date.now() - signalledAt).toBeLessThan(10_000);
    } finally {
      primary.resumeServer();
    }
    startSidecar(cluster, primary, ENV);
    await waitForSidecar(primary);
    await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
    await waitForReadyz(primary, 200, { timeoutMs: 20_000 });
    const after = await statusOf(replica);
    expect(after.lag).toMatchObject({ known: true, reason: null });
    expect(after.lag?.seconds).toBeLessThanOrEqual(MAX_LAG_SECONDS);
    const text = await metricsOf(replica);
    expect(sample(text, 'mysql_sts_replication_lag_known')).toBe('1');
    expect(Number(sample(text, 'mysql_sts_replication_lag_seconds'))).toBeLessThanOrEqual(MAX_LAG_SECONDS);
  });

  it("STOP SLAVE IO_THREAD: not Ready with the IO-thread reason, and the loop leaves the operator's stop alone; START SLAVE: Ready again", async () => {
    await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
    await replica.query('STOP SLAVE IO_THREAD');
    const out = await waitForReadyz(replica, 503, {
      timeoutMs: 10_000,
      reasons: [/^the IO thread is not running \(No\)$/, /^lag unknown: the IO thread is down/],
    });
    expect(out.reasons.join('\n')).not.toMatch(/error/);

    // Several checks later the IO thread is still stopped: a stop without an error is respected.
    await sleep(3_500);
    const status = await slaveStatusOf(replica);
    expect(status.Slave_IO_Running).toBe('No');
    expect(status.Slave_SQL_Running).toBe('Yes');
    expect(Number(status.Last_IO_Errno)).toBe(0);
    expect((await readyzOf(replica)).status).toBe(503);
    expect(sample(await metricsOf(replica), 'mysql_sts_replication_io_running')).toBe('0');

    await replica.query('START SLAVE');
    await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
  });

  it("STOP SLAVE SQL_THREAD stays stopped while the primary restarts: the IO thread's errors are no reason to undo it", async () => {
    await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
    await replica.query('STOP SLAVE SQL_THREAD');
    await waitForReadyz(replica, 503, { timeoutMs: 10_000, reasons: [/^the SQL thread is not running/] });
    await primary.stopServer();
    try {
      await waitFor(async () => (Number((await slaveStatusOf(replica)).Last_IO_Errno) !== 0 ? true : undefined), {
        what: `${replica.name}'s IO thread to fail to reach the stopped primary`,
        timeoutMs: 15_000,
        intervalMs: 200,
      });
      await sleep(2_500); // several checks of the loop with the IO error in view
      expect((await slaveStatusOf(replica)).Slave_SQL_Running).toBe('No');
    } finally {
      await primary.startServer();
    }
    await replica.query('START SLAVE SQL_THREAD');
    await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
  });

  it('starts replication again after the replica server restarts, also when it had been stopped by hand', async () => {
    await replica.query('STOP SLAVE');
    await waitForReadyz(replica, 503, { timeoutMs: 10_000, reasons: [/IO thread is not running/, /SQL thread is not running/] });
    await replica.stopServer();
    // The sidecar keeps running: the server does not answer, and nothing about replication is claimed.
    const down = await waitFor(async () => {
      const doc = await statusOf(replica);
      return doc.server.up ? undefined : doc;
    }, { what: `${replica.name}'s sidecar to notice its server is down`, timeoutMs: 10_000, intervalMs: 200 });
    expect(down.ready).toBe(false);
    expect(down.lag).toMatchObject({ known: false, seconds: null });
    expect(down.replication).toBeNull();
    const text = await metricsOf(replica);
    expect(sample(text, 'mysql_sts_server_up')).toBe('0');
    expect(sample(text, 'mysql_sts_replication_lag_known')).toBe('0');
    expect(sample(text, 'mysql_sts_replication_io_running')).toBe('Nan');

    // skip_slave_start: the server comes back with replication stopped; the sidecar starts it.
    await replica.startServer();
    await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
    const status = await slaveStatusOf(replica);
    expect([status.Slave_IO_Running, status.Slave_SQL_Running]).toEqual(['Yes', 'Yes']);
  });

  it('a delayed SQL thread (MASTER_DELAY) under writes: lag above the threshold, not Ready; delay 0: Ready again, every row there', async () => {
    await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
    const writer = new RowWriter(() => primary.connect(), 'app.rows');
    writer.start();
    let acknowledged: number[];
    try {
      await waitForWrites(writer, 50);
      await replica.query('STOP SLAVE');
      await replica.query('CHANGE MASTER TO MASTER_DELAY = 8');
      await replica.query('START SLAVE');

      const out = await waitForReadyz(replica, 503, {
        timeoutMs: 20_000,
        reasons: [new RegExp(`^lag [\\d.]+ s is above the ${MAX_LAG_SECONDS} s threshold$`)],
      });
      // Only the lag is wrong: both threads run, no error.
      expect(out.reasons).toHaveLength(1);
      const document = await statusOf(replica);
      expect(document.lag?.known).toBe(true);
      expect(document.lag?.seconds).toBeGreaterThan(MAX_LAG_SECONDS);
      expect(document.replication).toMatchObject({ ioRunning: true, sqlRunning: true, sqlDelay: 8, lastIoErrno: 0, lastSqlErrno: 0 });
      const text = await metricsOf(replica);
      expect(sample(text, 'mysql_sts_replication_lag_known')).toBe('1');
      expect(Number(sample(text, 'mysql_sts_replication_lag_seconds'))).toBeGreaterThan(MAX_LAG_SECONDS);
      expect(sample(text, 'mysql_sts_ready')).toBe('0');

      await replica.query('STOP SLAVE');
      await replica.query('CHANGE MASTER TO MASTER_DELAY = 0');
      await replica.query('START SLAVE');
      await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
      await waitForWrites(writer, 50);
    } finally {
      acknowledged = await writer.stop();
    }
    expect(writer.errors).toBe(0);
    expect((await statusOf(replica)).lag?.seconds).toBeLessThanOrEqual(MAX_LAG_SECONDS);
    await waitForSameData(primary, [replica], 'app.rows');
    expect(await missingRows(replica, 'app.rows', acknowledged)).toEqual([]);
  });
});
