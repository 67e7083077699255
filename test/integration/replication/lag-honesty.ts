import { expect } from 'vitest';
import { startSidecar, waitForSidecar } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { stopSidecar } from '../../e2e/support/pod-lifecycle.js';
import { metricsOf, sample, statusOf, waitForReadyz } from '../../support/pod-probes.js';
import type { OperatorSql } from '../../support/server-sql.js';

/**
 * Issue 12, readiness.test.ts's lag-honesty cases: a lag that is unknown or
 * wrong never reads as a number, least of all 0. mysql-0's own heartbeat
 * writer (its sidecar) is stopped in each, so the only heartbeat is the one
 * the test writes the way another writer would.
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

/** `/readyz` 503 with `lag unknown: <reason>` as its only reason; then /status and /metrics say the same: no number, `lag_known 0`. */
async function expectUnknownLag(replica: Pod, reason: RegExp): Promise<void> {
  const tail = reason.source.startsWith('^') ? reason.source.slice(1) : `.*${reason.source}`;
  const out = await waitForReadyz(replica, 503, { timeoutMs: 30_000, reasons: [new RegExp(`^lag unknown: ${tail}`)] });
  // Only the lag: both threads run, no error.
  expect(out.reasons).toHaveLength(1);
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
  await waitForReadyz(set.replica, 200, { timeoutMs: 30_000 });
  expect((await statusOf(set.replica)).lag).toMatchObject({ known: true, method: 'heartbeat', reason: null });
}

/** pt-heartbeat --update without --utc on a +09:00 host (the server's own server_id), the replica `delaySeconds` behind. */
export async function expectAFutureHeartbeatToBeUnknown(set: LagSet, sql: OperatorSql, delaySeconds: number): Promise<void> {
  await withoutThePrimarySidecar(set, async () => {
    await set.replica.query(sql.stopReplica);
    await set.replica.query(sql.setDelay(delaySeconds));
    await set.replica.query(sql.startReplica);
    try {
      const writer = await set.primary.connect();
      try {
        await writer.query("SET SESSION time_zone = '+09:00'");
        await writer.query(`REPLACE INTO heartbeat.heartbeat (ts, server_id) VALUES (${LOCAL_TEXT}, @@server_id)`);
      } finally {
        await writer.end();
      }
      await expectUnknownLag(set.replica, FUTURE_REASON);
      expect((await statusOf(set.replica)).replication?.sqlDelay).toBe(delaySeconds);
    } finally {
      await set.replica.query(sql.stopReplica);
      await set.replica.query(sql.setDelay(0));
      await set.replica.query(sql.startReplica);
    }
  });
}

/** The heartbeat row deleted on mysql-0, then a fresh UTC row of server_id 7 only (pt-heartbeat --utc with its own server_id). */
export async function expectAMissingOrForeignRowToBeUnknown(set: LagSet): Promise<void> {
  await withoutThePrimarySidecar(set, async () => {
    try {
      await set.primary.query('DELETE FROM heartbeat.heartbeat');
      await expectUnknownLag(set.replica, DELETED_REASON);
      await set.primary.query(`REPLACE INTO heartbeat.heartbeat (ts, server_id) VALUES (${UTC_TEXT}, 7)`);
      await expectUnknownLag(set.replica, FOREIGN_REASON);
    } finally {
      await set.primary.query('DELETE FROM heartbeat.heartbeat WHERE server_id = 7');
    }
  });
}
