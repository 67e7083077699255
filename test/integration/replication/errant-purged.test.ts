import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentPod } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { sleep, waitFor } from '../../cluster/wait.js';
import { numbersTable } from '../../support/numbers.js';
import { cloneInfoOf, tableDigest } from '../../support/pod-inspect.js';
import { metricsOf, readyzOf, replicationRowOf, sample, statusOf, waitForReadyz, waitForSameData } from '../../support/pod-probes.js';
import { firstOwnWrite, gtidSourceOf, operatorSql, ownGtidsOf, positionOf, positionOnlyFrom, selectText, SERVER_CASES, type OperatorSql } from '../../support/server-sql.js';
import { behaviourOf, startSetOf, writeAroundReplication } from './server-behaviour.js';

const ENV = { READY_CHECKS: '2', READY_MAX_LAG_SECONDS: '5' };
/** A primary and two clones: with MySQL's CLONE plugin each clone restarts its server, ~25 s a pod on a busy 2-core machine. */
const SET_UP_TIMEOUT_MS = 240_000;

/** Purges every binlog but the current one; a dump thread still reading an older file delays it, so retry. */
async function purgeAllButCurrent(primary: Pod, sql: OperatorSql): Promise<string> {
  return waitFor(
    async () => {
      const [status] = await primary.query<{ File: string }>(sql.binlogStatus);
      const current = String(status?.File);
      await primary.query(`PURGE BINARY LOGS TO '${current}'`);
      const logs = await primary.query<{ Log_name: string }>('SHOW BINARY LOGS');
      return logs.length === 1 && logs[0]?.Log_name === current ? current : undefined;
    },
    { what: `${primary.name} to purge all binlogs but the current one`, timeoutMs: 15_000, intervalMs: 250 },
  );
}

for (const server of SERVER_CASES) {
  describe(`replication on ${server.server}: errant transactions and purged binlogs are reported, never repaired silently`, () => {
    const sql = operatorSql(server.flavor);
    const behaviour = behaviourOf(server);
    let cluster: Cluster;
    let primary: Pod;
    let errantReplica: Pod;
    let laggingReplica: Pod;

    beforeAll(async () => {
      ({ cluster, primary } = await startSetOf(server, ENV));
      await primary.query(`INSERT INTO app.rows SELECT n, 'before' FROM ${numbersTable(100)} AS numbers`);
      errantReplica = await startAgentPod(cluster, 1, ENV);
      laggingReplica = await startAgentPod(cluster, 2, ENV);
      await waitForSameData(primary, [errantReplica, laggingReplica], 'app.rows');
    }, SET_UP_TIMEOUT_MS);
    afterAll(async () => {
      await cluster?.down();
    });

    it('a transaction written on a replica around replication: not Ready with "errant", counted in the metric, left as it is', async () => {
      expect(sample(await metricsOf(errantReplica), 'mysql_sts_replication_errant_transactions')).toBe('0');
      expect(await ownGtidsOf(errantReplica, server.flavor)).toBe('');
      // Root writes around replication; with the binlog on, this is a GTID of mysql-1 (server_id 101 / its server_uuid).
      await writeAroundReplication(errantReplica, server.flavor, "INSERT INTO app.rows VALUES (1000001, 'errant')");
      const errantGtid = await ownGtidsOf(errantReplica, server.flavor);
      expect(errantGtid).toMatch(firstOwnWrite(server.flavor, await gtidSourceOf(errantReplica, server.flavor)));

      const out = await waitForReadyz(errantReplica, 503, { timeoutMs: 15_000, reasons: [/errant/] });
      expect(out.reasons).toContainEqual(`errant transactions: the replica has ${errantGtid} that the primary lacks`);
      const document = await statusOf(errantReplica);
      expect(document.ready).toBe(false);
      expect(document.errant).toBe(errantGtid);
      expect(Number(sample(await metricsOf(errantReplica), 'mysql_sts_replication_errant_transactions'))).toBeGreaterThan(0);

      // Checks later, nothing was reset or skipped: the errant GTID and row are still there, the replica is
      // read-only again, and the agent neither started replication past it (MariaDB's SQL thread stopped at the
      // primary's next GTID) nor stopped it (MySQL's runs on).
      await sleep(3_000);
      expect(await ownGtidsOf(errantReplica, server.flavor)).toBe(errantGtid);
      expect(await errantReplica.query('SELECT id FROM app.rows WHERE id = 1000001')).toHaveLength(1);
      for (const variable of behaviour.readOnlyVariables) expect(await selectText(errantReplica, `@@${variable}`)).toBe('1');
      expect((await replicationRowOf(errantReplica)).sqlRunning).toBe(behaviour.sqlThreadAfterErrant);
      expect((await readyzOf(errantReplica)).reasons).toContainEqual(expect.stringMatching(/^errant transactions: /));
      // The other replica is not affected.
      expect((await readyzOf(laggingReplica)).status).toBe(200);
    });

    it('binlogs purged past a stopped replica\'s position: not Ready with "purged" (error 1236), position and data untouched', async () => {
      const clone = cloneInfoOf(laggingReplica);
      // Stopped first, so the position it will ask the primary for is known.
      await laggingReplica.query(sql.stopReplica);
      const position = await positionOf(laggingReplica, sql.replicaPosition);
      expect(position).toMatch(positionOnlyFrom(server.flavor, await gtidSourceOf(primary, server.flavor)));
      await laggingReplica.stopServer();
      // Transactions the stopped replica will miss, then every binlog holding them is purged.
      await primary.query(`INSERT INTO app.rows SELECT n + 100, 'missed' FROM ${numbersTable(100)} AS numbers`);
      for (let i = 0; i < 3; i++) await primary.query('FLUSH BINARY LOGS');
      await purgeAllButCurrent(primary, sql);

      await laggingReplica.startServer();
      const out = await waitForReadyz(laggingReplica, 503, { timeoutMs: 20_000, reasons: [/^purged: .*1236/] });
      expect(out.reasons.join('\n')).toMatch(/error 1236/);
      const document = await statusOf(laggingReplica);
      expect(document.replication).toMatchObject({ ioRunning: false, lastIoErrno: behaviour.purgedIoErrno });
      expect(document.replication?.lastIoError).toMatch(/\b1236\b/);
      // The lag is not asserted: a fresh heartbeat or the GTID snapshot bound may still bound it for a while
      // after the stop (ARCHITECTURE.md, "Lag and readiness"); the purged binlogs are what keep it out.
      const text = await metricsOf(laggingReplica);
      expect(sample(text, 'mysql_sts_replication_last_io_errno')).toBe(String(behaviour.purgedIoErrno));

      // Checks later: still reported, never reset (same GTID position, no rows fetched from elsewhere, no new clone).
      await sleep(3_000);
      const status = await replicationRowOf(laggingReplica);
      expect(status.ioRunning).toBe('No');
      expect(status.lastIoErrno).toBe(behaviour.purgedIoErrno);
      expect(status.lastIoError).toMatch(/\b1236\b/);
      expect(await positionOf(laggingReplica, sql.replicaPosition)).toBe(position);
      expect((await tableDigest(laggingReplica, 'app.rows')).count).toBe(100);
      expect(cloneInfoOf(laggingReplica)).toEqual(clone);
      expect((await readyzOf(laggingReplica)).reasons).toContainEqual(expect.stringMatching(/^purged: /));
    });
  });
}
