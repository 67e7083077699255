import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentPod, startSidecar, waitForSidecar } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { stopSidecar } from '../../e2e/support/pod-lifecycle.js';
import { metricsOf, sample, statusOf, waitForReadyz } from '../../support/pod-probes.js';
import { operatorSql, SERVER_CASES } from '../../support/server-sql.js';
import { startSetOf } from './server-behaviour.js';

/**
 * Issue 12: a lag that is unknown or wrong never reads as a number, least of
 * all 0. mysql-0's own heartbeat writer (its sidecar) is stopped in each case,
 * so the only heartbeat is the one the test writes as another writer would.
 */
const MAX_LAG_SECONDS = 3;
const ENV = { READY_CHECKS: '2', READY_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS) };
/** Above MAX_LAG_SECONDS: a replica this far behind must not be Ready whatever the heartbeat says. */
const DELAY_SECONDS = 6;
const PRIMARY_SERVER_ID = 100;
const PT_HEARTBEAT_TEXT = "DATE_FORMAT(NOW(6), '%Y-%m-%dT%H:%i:%s.%f')";

/** The replica's /status and /metrics while its lag is unknown: no number, `lag_known 0`, not Ready. */
async function expectUnknownLag(replica: Pod, reason: RegExp): Promise<void> {
  const document = await statusOf(replica);
  expect(document.ready).toBe(false);
  expect(document.lag).toMatchObject({ known: false, seconds: null, method: 'heartbeat', note: null });
  expect(document.lag?.reason).toMatch(reason);
  expect(document.replication).toMatchObject({ ioRunning: true, sqlRunning: true, lastIoErrno: 0, lastSqlErrno: 0 });
  const text = await metricsOf(replica);
  expect(sample(text, 'mysql_sts_replication_lag_known')).toBe('0');
  expect(sample(text, 'mysql_sts_replication_lag_seconds')).toBe('Nan');
  expect(sample(text, 'mysql_sts_ready')).toBe('0');
}

for (const server of SERVER_CASES) {
  describe(`lag on ${server.server}: never a number when it is unknown or wrong`, () => {
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

    /** mysql-0's sidecar back, its UTC heartbeat replacing whatever the test wrote, and the replica Ready again. */
    async function restoreHeartbeat(): Promise<void> {
      startSidecar(cluster, primary, ENV);
      await waitForSidecar(primary);
      await waitForReadyz(replica, 200, { timeoutMs: 30_000 });
      expect((await statusOf(replica)).lag).toMatchObject({ known: true, method: 'heartbeat', reason: null });
    }

    it('pt-heartbeat without --utc on a +09:00 primary, the replica 6 s behind (SOURCE_DELAY/MASTER_DELAY): lag unknown, "in the future", not Ready', async () => {
      await waitForReadyz(replica, 200, { timeoutMs: 30_000 });
      await stopSidecar(primary);
      try {
        await replica.query(sql.stopReplica);
        await replica.query(sql.setDelay(DELAY_SECONDS));
        await replica.query(sql.startReplica);
        // What pt-heartbeat --update writes on a host in Asia/Tokyo: local time as pt-heartbeat's text, the server's own server_id.
        const writer = await primary.connect();
        try {
          await writer.query("SET SESSION time_zone = '+09:00'");
          await writer.query(`REPLACE INTO heartbeat.heartbeat (ts, server_id) VALUES (${PT_HEARTBEAT_TEXT}, @@server_id)`);
        } finally {
          await writer.end();
        }
        const future = /^the heartbeat is 32[34]\d\d\.\d s in the future: likely a writer not using UTC \(pt-heartbeat needs --utc\) or clock skew between primary and replica$/;
        const out = await waitForReadyz(replica, 503, { timeoutMs: 30_000, reasons: [new RegExp(`^lag unknown: ${future.source.slice(1)}`)] });
        // Only the lag: both threads run, no error.
        expect(out.reasons).toHaveLength(1);
        await expectUnknownLag(replica, future);
        expect((await statusOf(replica)).replication?.sqlDelay).toBe(DELAY_SECONDS);
      } finally {
        await replica.query(sql.stopReplica);
        await replica.query(sql.setDelay(0));
        await replica.query(sql.startReplica);
      }
      await restoreHeartbeat();
    });

    it("a deleted heartbeat row, then only another server_id's row (another writer): lag unknown with the reason, not Ready", async () => {
      await waitForReadyz(replica, 200, { timeoutMs: 30_000 });
      await stopSidecar(primary);
      try {
        await primary.query('DELETE FROM heartbeat.heartbeat');
        const deleted = new RegExp(`^no heartbeat row of the primary \\(server_id ${PRIMARY_SERVER_ID}\\): not replicated yet, or deleted$`);
        const out = await waitForReadyz(replica, 503, { timeoutMs: 15_000, reasons: [new RegExp(`^lag unknown: ${deleted.source.slice(1)}`)] });
        expect(out.reasons).toHaveLength(1);
        await expectUnknownLag(replica, deleted);

        // A fresh UTC heartbeat, but of server_id 7 (pt-heartbeat --utc with its own server_id): not the primary's.
        await primary.query(`REPLACE INTO heartbeat.heartbeat (ts, server_id) VALUES (DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%f'), 7)`);
        const foreign = /; the rows of server_id 7 are another writer's, not this set's primary's, and are not used$/;
        await waitForReadyz(replica, 503, { timeoutMs: 15_000, reasons: [foreign] });
        await expectUnknownLag(replica, foreign);
      } finally {
        await primary.query('DELETE FROM heartbeat.heartbeat WHERE server_id = 7');
      }
      await restoreHeartbeat();
    });
  });
}
