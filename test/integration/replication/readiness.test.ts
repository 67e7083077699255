import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentPod, startSidecar, waitForSidecar } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { sleep, waitFor } from '../../cluster/wait.js';
import { RowWriter } from '../../support/row-writer.js';
import { metricsOf, missingRows, readyzOf, replicationRowOf, sample, statusOf, waitForReadyz, waitForSameData, waitForStatus, waitForWrites } from '../../support/pod-probes.js';
import { CAUGHT_UP_SHARE } from '../../../src/health/readiness.js';
import type { StatusDocument } from '../../../src/http/status-document.js';
import { operatorSql, SERVER_CASES } from '../../support/server-sql.js';
import { expectLagUnknownWhileThePrimaryHangs, expectThePrimarySidecarToGiveUpAndStop } from './hung-primary.js';
import { expectAFutureHeartbeatNotToBeUsed, expectAMissingOrForeignRowToGiveWayToTheBound } from './lag-honesty.js';
import { startSetOf } from './server-behaviour.js';
import { sidecarLogFromNow } from '../../e2e/support/pod-start.js';
import { expectAWriterlessPrimaryToKeepReplicasHonest } from './writer-down.js';

/** Faster flips than the defaults (3 checks, 10 s), so each scenario takes seconds. */
const MAX_LAG_SECONDS = 3;
const ENV = { READY_CHECKS: '2', READY_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS) };
/** Above MAX_LAG_SECONDS: a replica this far behind must not be Ready, whatever a heartbeat says. */
const DELAY_SECONDS = 6;

for (const server of SERVER_CASES) {
  describe(`replication on ${server.server}: readiness follows what the replica can serve`, () => {
    const sql = operatorSql(server.flavor);
    let cluster: Cluster;
    let primary: Pod;
    let replica: Pod;

    beforeAll(async () => {
      ({ cluster, primary } = await startSetOf(server, ENV));
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

        await expectLagUnknownWhileThePrimaryHangs(replica);
        await expectThePrimarySidecarToGiveUpAndStop(primary);
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

    it("the IO thread stopped by hand: not Ready with the IO-thread reason, and the loop leaves the operator's stop alone; started: Ready again", async () => {
      await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
      await replica.query(sql.stopIoThread);
      // The primary's heartbeats go on without this replica: the GTID bound grows past the threshold (the heartbeat's own reading is unknown).
      const out = await waitForReadyz(replica, 503, {
        timeoutMs: 10_000,
        reasons: [/^the IO thread is not running \(No\)$/, new RegExp(`^lag [\\d.]+ s is above the ${MAX_LAG_SECONDS} s threshold$`)],
      });
      expect((await statusOf(replica)).lag?.note).toMatch(/the heartbeat cannot measure: the IO thread is down and the last heartbeat is [\d.]+ s old$/);
      expect(out.reasons.join('\n')).not.toMatch(/error/);

      // Several checks later the IO thread is still stopped: a stop without an error is respected.
      await sleep(3_500);
      const status = await replicationRowOf(replica);
      expect(status.ioRunning).toBe('No');
      expect(status.sqlRunning).toBe('Yes');
      expect(status.lastIoErrno).toBe(0);
      expect((await readyzOf(replica)).status).toBe(503);
      expect(sample(await metricsOf(replica), 'mysql_sts_replication_io_running')).toBe('0');

      await replica.query(sql.startReplica);
      await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
    });

    it('a stopped thread is acted on by the first check that sees it, and a caught-up replica is Ready on the first check that shows it', async () => {
      await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
      const stoppedAt = Date.now();
      await replica.query(sql.stopSqlThread);
      // /status holds one check's observation and the verdict drawn from it: no check in between may still say Ready.
      const stopped = await waitForStatus(replica, 'the SQL thread stopped', (doc) => doc.replication?.sqlRunning === false, 10_000);
      console.log(`${server.server}: STOP SQL_THREAD to the first /status that shows it (not Ready): ${Date.now() - stoppedAt} ms`);
      expect(stopped.ready).toBe(false);
      expect(stopped.reasons).toContain('the SQL thread is not running');
      expect((await readyzOf(replica)).status).toBe(503);

      await replica.query(sql.startSqlThread);
      const caughtUp = (doc: StatusDocument) =>
        doc.replication?.ioRunning === true && doc.replication.sqlRunning && doc.lag?.known === true && (doc.lag.seconds ?? Infinity) <= MAX_LAG_SECONDS * CAUGHT_UP_SHARE;
      const back = await waitForStatus(replica, 'both threads running with a caught-up lag', caughtUp, 15_000);
      expect(back.reasons).toEqual([]);
      expect(back.ready).toBe(true);
    });

    it("the SQL thread stopped by hand stays stopped while the primary restarts: the IO thread's errors are no reason to undo it", async () => {
      await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
      await replica.query(sql.stopSqlThread);
      await waitForReadyz(replica, 503, { timeoutMs: 10_000, reasons: [/^the SQL thread is not running/] });
      await primary.stopServer();
      try {
        await waitFor(async () => ((await replicationRowOf(replica)).lastIoErrno !== 0 ? true : undefined), {
          what: `${replica.name}'s IO thread to fail to reach the stopped primary`,
          timeoutMs: 15_000,
          intervalMs: 200,
        });
        await sleep(2_500); // several checks of the loop with the IO error in view
        expect((await replicationRowOf(replica)).sqlRunning).toBe('No');
      } finally {
        await primary.startServer();
      }
      await replica.query(sql.startSqlThread);
      await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
    });

    it('starts replication again after the replica server restarts, also when it had been stopped by hand', async () => {
      await replica.query(sql.stopReplica);
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

      // skip_slave_start / skip_replica_start: the server comes back with replication stopped; the sidecar starts it.
      await replica.startServer();
      await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
      const status = await replicationRowOf(replica);
      expect([status.ioRunning, status.sqlRunning]).toEqual(['Yes', 'Yes']);
    });

    it('a delayed SQL thread (MASTER_DELAY / SOURCE_DELAY) under writes: lag above the threshold, not Ready; delay 0: Ready again, every row there', async () => {
      await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
      const writer = new RowWriter(() => primary.connect(), 'app.rows');
      writer.start();
      let acknowledged: number[];
      try {
        await waitForWrites(writer, 50);
        await replica.query(sql.stopReplica);
        await replica.query(sql.setDelay(8));
        await replica.query(sql.startReplica);

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

        await replica.query(sql.stopReplica);
        await replica.query(sql.setDelay(0));
        await replica.query(sql.startReplica);
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

    it(`pt-heartbeat without --utc on a +09:00 primary, the replica ${DELAY_SECONDS} s behind (SOURCE_DELAY/MASTER_DELAY) under writes: the heartbeat "in the future" is not used, the GTID bound says behind, not Ready`, async () => {
      await expectAFutureHeartbeatNotToBeUsed({ cluster, primary, replica, env: ENV }, sql, DELAY_SECONDS, MAX_LAG_SECONDS);
    });

    it("mysql-0's sidecar stopped (no heartbeat writer), rows still written: the replica stays Ready by the GTID bound; delayed or with its SQL thread stopped it is still taken out", async () => {
      await expectAWriterlessPrimaryToKeepReplicasHonest({ cluster, primary, replica, env: ENV }, sql, MAX_LAG_SECONDS);
    });

    it("a deleted heartbeat row, then only another server_id's row (another writer): the GTID bound measures, the note says why, Ready", async () => {
      await expectAMissingOrForeignRowToGiveWayToTheBound({ cluster, primary, replica, env: ENV });
    });

    it('a server that runs with another server_id than the identity config says: not Ready with the fix in the reason, one error line; the right id again: Ready', async () => {
      await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
      const log = sidecarLogFromNow(replica);
      // What a server that never read mysql-sts-agent.cnf looks like to the sidecar: the id is the only setting it cannot mistake.
      await replica.query('SET GLOBAL server_id = 7');
      try {
        const reason = /^the server runs with server_id 7, not 101 as \/.+\/mysql-sts-agent\.cnf says: it did not read the identity config; make CONF_DIR the directory the server includes, then restart the server$/;
        await waitForReadyz(replica, 503, { timeoutMs: 10_000, reasons: [reason] });
        await sleep(2_500); // a few more checks: still one line for the one fault
        const lines = log().filter((event) => event['level'] === 'error');
        expect(lines.map((event) => [event.msg, event['reason']])).toEqual([['the server is not the one the identity config describes: the sidecar leaves it alone', expect.stringMatching(reason)]]);
        expect((await readyzOf(replica)).reasons).toEqual([expect.stringMatching(reason)]);
      } finally {
        await replica.query('SET GLOBAL server_id = 101');
      }
      await waitForReadyz(replica, 200, { timeoutMs: 15_000 });
    });
  });
}
