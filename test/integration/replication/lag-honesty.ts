import { expect } from 'vitest';
import { startSidecar, waitForSidecar } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { stopSidecar } from '../../e2e/support/pod-lifecycle.js';
import type { StatusDocument } from '../../../src/http/status-document.js';
import { metricsOf, sample, waitForReadyz, waitForStatus } from '../../support/pod-probes.js';
import { RowWriter } from '../../support/row-writer.js';
import type { OperatorSql } from '../../support/server-sql.js';

/**
 * Issue 12, readiness.test.ts's lag-honesty cases: a heartbeat that is
 * missing or wrong never gives a number, least of all 0. mysql-0's own
 * heartbeat writer (its sidecar) is stopped in each, so the only heartbeat is
 * the one the test writes the way another writer would. The replica's lag then
 * comes from the GTID snapshot bound (method `gtid-snapshot`), which needs no
 * writer and no clock but the sidecar's, and the note names what is wrong with
 * the heartbeat.
 */

/** A set of mysql-0 and mysql-1 started with `env`. */
export interface LagSet {
  readonly cluster: Cluster;
  readonly primary: Pod;
  readonly replica: Pod;
  readonly env: Record<string, string>;
}

const PRIMARY_SERVER_ID = 100;
const UTC_TEXT = "DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%f')";
/** What pt-heartbeat --update without --utc writes: the host's local time as pt-heartbeat's text. */
const LOCAL_TEXT = "DATE_FORMAT(NOW(6), '%Y-%m-%dT%H:%i:%s.%f')";
const FUTURE_REASON =
  /^the heartbeat is 32[34]\d\d\.\d s in the future: likely a writer not using UTC \(pt-heartbeat needs --utc\) or clock skew between primary and replica$/;
const DELETED_REASON = new RegExp(`^no heartbeat row of the primary \\(server_id ${PRIMARY_SERVER_ID}\\): not replicated yet, or deleted$`);
const FOREIGN_REASON = /; the rows of server_id 7 are another writer's, not this set's primary's, and are not used$/;

/** The lag known from the GTID snapshot bound, its note naming what is wrong with the heartbeat; lag_known 1, lag_from_heartbeat 0. */
async function expectTheBoundWithNote(replica: Pod, heartbeatReason: RegExp, ready: boolean): Promise<StatusDocument> {
  const tail = heartbeatReason.source.startsWith('^') ? heartbeatReason.source.slice(1) : `.*${heartbeatReason.source}`;
  const note = new RegExp(`^an upper bound from the source's GTID position, .*; the heartbeat cannot measure: ${tail}`);
  const document = await waitForStatus(
    replica,
    `the lag by gtid-snapshot with the heartbeat's fault in the note, ${ready ? 'Ready' : 'not Ready'}`,
    (doc) => doc.lag?.method === 'gtid-snapshot' && note.test(doc.lag.note ?? '') && doc.ready === ready,
    30_000,
  );
  expect(document.lag).toMatchObject({ known: true, reason: null });
  expect(document.replication).toMatchObject({ ioRunning: true, sqlRunning: true, lastIoErrno: 0, lastSqlErrno: 0 });
  const text = await metricsOf(replica);
  expect(sample(text, 'mysql_sts_replication_lag_known')).toBe('1');
  expect(sample(text, 'mysql_sts_replication_lag_from_heartbeat')).toBe('0');
  return document;
}

/** Runs `scenario` with mysql-0's sidecar stopped; then the sidecar's UTC heartbeat replaces what the test wrote and the replica is Ready again. */
async function withoutThePrimarySidecar(set: LagSet, scenario: () => Promise<void>): Promise<void> {
  await waitForReadyz(set.replica, 200, { timeoutMs: 30_000 });
  await stopSidecar(set.primary);
  try {
    await scenario();
  } finally {
    startSidecar(set.cluster, set.primary, set.env);
    await waitForSidecar(set.primary);
  }
  // Ready already on the GTID bound: wait for the restarted writer's heartbeat to measure again.
  const back = await waitForStatus(set.replica, 'Ready with the lag by the heartbeat again', (doc) => doc.ready && doc.lag?.method === 'heartbeat', 30_000);
  expect(back.lag).toMatchObject({ known: true, reason: null, note: null });
}

/** A RowWriter on a table of its own (app.rows's shape): each scenario numbers its rows from 1. */
export async function writerOn(primary: Pod, table: string): Promise<RowWriter> {
  await primary.query(`CREATE TABLE IF NOT EXISTS ${table} LIKE app.rows`);
  return new RowWriter(() => primary.connect(), table);
}

/**
 * pt-heartbeat --update without --utc on a +09:00 host (the server's own
 * server_id), the replica `delaySeconds` behind under writes: the future
 * heartbeat is not used, and the bound shows the replica behind: not Ready,
 * for the lag, never 0.
 */
export async function expectAFutureHeartbeatNotToBeUsed(set: LagSet, sql: OperatorSql, delaySeconds: number, maxLagSeconds: number): Promise<void> {
  await withoutThePrimarySidecar(set, async () => {
    const writer = await writerOn(set.primary, 'app.rows_future_heartbeat');
    writer.start();
    await set.replica.query(sql.stopReplica);
    await set.replica.query(sql.setDelay(delaySeconds));
    await set.replica.query(sql.startReplica);
    try {
      const connection = await set.primary.connect();
      try {
        await connection.query("SET SESSION time_zone = '+09:00'");
        await connection.query(`REPLACE INTO heartbeat.heartbeat (ts, server_id) VALUES (${LOCAL_TEXT}, @@server_id)`);
      } finally {
        await connection.end();
      }
      const out = await waitForReadyz(set.replica, 503, { timeoutMs: 30_000, reasons: [new RegExp(`^lag [\\d.]+ s is above the ${maxLagSeconds} s threshold$`)] });
      expect(out.reasons).toHaveLength(1);
      const document = await expectTheBoundWithNote(set.replica, FUTURE_REASON, false);
      expect(document.lag?.seconds).toBeGreaterThan(maxLagSeconds);
      expect(document.replication?.sqlDelay).toBe(delaySeconds);
    } finally {
      await writer.stop();
      await set.replica.query(sql.stopReplica);
      await set.replica.query(sql.setDelay(0));
      await set.replica.query(sql.startReplica);
    }
    expect(writer.errors).toBe(0);
  });
}

/** The heartbeat row deleted on mysql-0, then a fresh UTC row of server_id 7 only (pt-heartbeat --utc with its own server_id): the bound keeps the current replica Ready. */
export async function expectAMissingOrForeignRowToGiveWayToTheBound(set: LagSet): Promise<void> {
  await withoutThePrimarySidecar(set, async () => {
    try {
      await set.primary.query('DELETE FROM heartbeat.heartbeat');
      await expectTheBoundWithNote(set.replica, DELETED_REASON, true);
      await set.primary.query(`REPLACE INTO heartbeat.heartbeat (ts, server_id) VALUES (${UTC_TEXT}, 7)`);
      await expectTheBoundWithNote(set.replica, FOREIGN_REASON, true);
    } finally {
      await set.primary.query('DELETE FROM heartbeat.heartbeat WHERE server_id = 7');
    }
  });
}
