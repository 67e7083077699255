import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAgentPod } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { sleep, waitFor } from '../../cluster/wait.js';
import { cloneInfoOf, tableDigest } from '../../support/pod-inspect.js';
import { metricsOf, readyzOf, sample, slaveStatusOf, statusOf, waitForReadyz, waitForSameData, startPrimaryWithRows } from '../../support/pod-probes.js';

const ENV = { READY_CHECKS: '2', READY_MAX_LAG_SECONDS: '5' };

async function variable(pod: Pod, name: string): Promise<string> {
  const [row] = await pod.query<{ value: string }>(`SELECT @@${name} AS value`);
  return String(row?.value);
}

/** Purges every binlog but the current one; a dump thread still reading an older file delays it, so retry. */
async function purgeAllButCurrent(primary: Pod): Promise<string> {
  return waitFor(
    async () => {
      const [master] = await primary.query<{ File: string }>('SHOW MASTER STATUS');
      const current = String(master?.File);
      await primary.query(`PURGE BINARY LOGS TO '${current}'`);
      const logs = await primary.query<{ Log_name: string }>('SHOW BINARY LOGS');
      return logs.length === 1 && logs[0]?.Log_name === current ? current : undefined;
    },
    { what: `${primary.name} to purge all binlogs but the current one`, timeoutMs: 15_000, intervalMs: 250 },
  );
}

describe('replication: errant transactions and purged binlogs are reported, never repaired silently', () => {
  let cluster: Cluster;
  let primary: Pod;
  let errantReplica: Pod;
  let laggingReplica: Pod;

  beforeAll(async () => {
    cluster = await Cluster.create();
    primary = await startPrimaryWithRows(cluster, ENV);
    await primary.query("INSERT INTO app.rows SELECT seq, 'before' FROM app.seq_1_to_100");
    errantReplica = await startAgentPod(cluster, 1, ENV);
    laggingReplica = await startAgentPod(cluster, 2, ENV);
    await waitForSameData(primary, [errantReplica, laggingReplica], 'app.rows');
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('a transaction written on a replica around replication: not Ready with "errant", counted in the metric, left as it is', async () => {
    expect(sample(await metricsOf(errantReplica), 'mysql_sts_replication_errant_transactions')).toBe('0');
    const connection = await errantReplica.connect();
    try {
      // root may write through read_only; with the binlog on, this is a GTID of mysql-1 (server_id 101).
      await connection.query('SET SESSION sql_log_bin = 1');
      await connection.query("INSERT INTO app.rows VALUES (1000001, 'errant')");
    } finally {
      await connection.end();
    }
    const errantGtid = await variable(errantReplica, 'gtid_binlog_pos');
    expect(errantGtid).toMatch(/^0-101-\d+$/);

    const out = await waitForReadyz(errantReplica, 503, { timeoutMs: 15_000, reasons: [/errant/] });
    expect(out.reasons).toContainEqual(`errant transactions: the replica has ${errantGtid} that the primary lacks`);
    const document = await statusOf(errantReplica);
    expect(document.ready).toBe(false);
    expect(document.errant).toBe(errantGtid);
    expect(Number(sample(await metricsOf(errantReplica), 'mysql_sts_replication_errant_transactions'))).toBeGreaterThan(0);

    // Checks later, nothing was reset or skipped: the errant GTID and row are still there, and replication
    // is not started past it (the primary's next GTID collides with it in strict mode).
    await sleep(3_000);
    expect(await variable(errantReplica, 'gtid_binlog_state')).toContain(errantGtid);
    expect(await errantReplica.query('SELECT id FROM app.rows WHERE id = 1000001')).toHaveLength(1);
    expect((await slaveStatusOf(errantReplica)).Slave_SQL_Running).toBe('No');
    expect((await readyzOf(errantReplica)).reasons).toContainEqual(expect.stringMatching(/^errant transactions: /));
    // The other replica is not affected.
    expect((await readyzOf(laggingReplica)).status).toBe(200);
  });

  it('binlogs purged past a stopped replica\'s position: not Ready with "purged" (error 1236), position and data untouched', async () => {
    const clone = cloneInfoOf(laggingReplica);
    // Stopped first, so the position it will ask the primary for is known.
    await laggingReplica.query('STOP SLAVE');
    const position = await variable(laggingReplica, 'gtid_slave_pos');
    expect(position).toMatch(/^0-100-\d+$/);
    await laggingReplica.stopServer();
    // Transactions the stopped replica will miss, then every binlog holding them is purged.
    await primary.query("INSERT INTO app.rows SELECT seq, 'missed' FROM app.seq_101_to_200");
    for (let i = 0; i < 3; i++) await primary.query('FLUSH BINARY LOGS');
    await purgeAllButCurrent(primary);

    await laggingReplica.startServer();
    const out = await waitForReadyz(laggingReplica, 503, { timeoutMs: 20_000, reasons: [/^purged: .*1236/] });
    expect(out.reasons.join('\n')).toMatch(/error 1236/);
    const document = await statusOf(laggingReplica);
    expect(document.replication).toMatchObject({ ioRunning: false, lastIoErrno: 1236 });
    expect(document.lag?.known).toBe(false);
    const text = await metricsOf(laggingReplica);
    expect(sample(text, 'mysql_sts_replication_last_io_errno')).toBe('1236');
    expect(sample(text, 'mysql_sts_replication_lag_known')).toBe('0');

    // Checks later: still reported, never reset (same GTID position, no rows fetched from elsewhere, no new clone).
    await sleep(3_000);
    const status = await slaveStatusOf(laggingReplica);
    expect(status.Slave_IO_Running).toBe('No');
    expect(Number(status.Last_IO_Errno)).toBe(1236);
    expect(await variable(laggingReplica, 'gtid_slave_pos')).toBe(position);
    expect((await tableDigest(laggingReplica, 'app.rows')).count).toBe(100);
    expect(cloneInfoOf(laggingReplica)).toEqual(clone);
    expect((await readyzOf(laggingReplica)).reasons).toContainEqual(expect.stringMatching(/^purged: /));
  });
});
