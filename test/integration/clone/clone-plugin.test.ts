import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneSecretFile, HTTP_PORT, runInitContainer, startContainers, startSidecar, waitForReady } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { ArgvWatch } from '../../support/argv-watch.js';
import { numbersTable } from '../../support/numbers.js';
import { cloneInfoOf } from '../../support/pod-inspect.js';
import { metricsOf, sample, statusOf, waitForSameData } from '../../support/pod-probes.js';
import { RowWriter } from '../../support/row-writer.js';
import { stopSidecar } from '../../e2e/support/pod-lifecycle.js';
import { parseLog } from '../../e2e/support/pod-start.js';

/**
 * MySQL 9.7's CLONE plugin as the agent drives it (ARCHITECTURE.md, "The
 * CLONE-plugin clone"): init leaves the request, the image initialises an empty
 * server, the sidecar clones into it, mysqld exits, the kubelet (the harness)
 * restarts it, the sidecar records the clone and replication takes over.
 */

const OVERLAY = 'k8s/overlays/mysql-9.7';

interface Started {
  readonly pod: Pod;
  readonly initLog: ReturnType<typeof parseLog>;
}

/** A pod as the StatefulSet starts it, keeping init's log. */
async function start(cluster: Cluster, n: number): Promise<Started> {
  const pod = cluster.listPods().find((candidate) => candidate.n === n) ?? (await cluster.addPod(n));
  const init = await runInitContainer(cluster, pod);
  expect(init.exitCode, init.stderr).toBe(0);
  await startContainers(cluster, pod, { READY_CHECKS: '1' }, 120_000);
  return { pod, initLog: parseLog(init.stdout) };
}

function outcomeOf(log: ReturnType<typeof parseLog>): unknown {
  return log.find((event) => event.msg === 'init done')?.outcome;
}

describe('clone: MySQL 9.7 pods clone with the CLONE plugin', () => {
  let cluster: Cluster;
  let primary: Pod;
  let writer: RowWriter;

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: OVERLAY });
    primary = (await start(cluster, 0)).pod;
    await primary.query('CREATE DATABASE app');
    await primary.query('CREATE TABLE app.seed (id INT PRIMARY KEY, payload VARBINARY(1024))');
    await primary.query(`INSERT INTO app.seed SELECT n, RANDOM_BYTES(1024) FROM ${numbersTable(20_000)} AS numbers`);
    await primary.query('CREATE TABLE app.rows (id INT PRIMARY KEY, note VARCHAR(64))');
    writer = new RowWriter(() => primary.connect(), 'app.rows');
    writer.start();
  });
  afterAll(async () => {
    await writer?.stop();
    await cluster?.down();
  });

  it('mysql-1 clones from mysql-0: init defers to the server, which restarts once, and the clone is recorded', async () => {
    const secret = readFileSync(cloneSecretFile(cluster), 'utf8');
    const argv = new ArgvWatch([cluster.secrets.rootPassword, secret]);
    argv.start();
    const { pod, initLog } = await start(cluster, 1).finally(() => argv.stop());
    expect(outcomeOf(initLog)).toBe('clone-pending');
    expect(pod.server.restartCount).toBe(1);
    expect(argv.leaks).toEqual([]);

    const info = cloneInfoOf(pod);
    expect(info?.donor).toBe('mysql-0');
    expect(info?.bytes).toBeGreaterThan(20_000 * 1024);
    expect(info?.coordinates.gtid).toMatch(/^[0-9a-f-]{36}:1-\d+/);
    expect(existsSync(join(pod.paths.state, 'initialized'))).toBe(true);
    expect(existsSync(join(pod.paths.state, 'clone-request.json'))).toBe(false);
    expect(readdirSync(pod.paths.data).filter((name) => name.startsWith('.'))).toEqual([]);

    const status = await statusOf(pod);
    expect(status).toMatchObject({ ready: true, dataDir: 'initialized', cloning: null, clone: { donor: 'mysql-0' } });
    const metrics = await metricsOf(pod);
    expect(sample(metrics, 'mysql_sts_clone_receiving')).toBe('0');
    expect(sample(metrics, 'mysql_sts_clone_received_bytes')).toBe(String(info?.bytes));
    // The donor is the server itself: the sidecar streams nothing and listens on no clone port.
    expect((await pod.exec('ss', ['-ltnH', 'sport = :3307'])).stdout.trim()).toBe('');

    const [server] = await pod.query('SELECT @@read_only AS ro, @@super_read_only AS sro, @@server_id AS id, @@server_uuid AS uuid');
    const [donor] = await primary.query('SELECT @@server_uuid AS uuid');
    expect(server).toMatchObject({ ro: 1, sro: 1, id: 101 });
    expect(server?.['uuid']).not.toBe(donor?.['uuid']);
    await waitForSameData(primary, [pod], 'app.seed');
    expect((await pod.httpGet(HTTP_PORT, '/readyz')).status).toBe(200);
  });

  it('mysql-1 keeps super_read_only across a server restart in the same pod, without a sidecar to set it again', async () => {
    const pod = cluster.pod(1);
    // The sidecar rewrote the identity config for the role when it recorded the clone.
    const config = readFileSync(join(pod.paths.confD, 'mysql-sts-agent.cnf'), 'utf8');
    expect(config).toContain('for mysql-1 (replica).');
    expect(config).toMatch(/^super_read_only = ON$/m);
    await stopSidecar(pod);
    await pod.stopServer();
    await pod.startServer();
    expect(await pod.query('SELECT @@read_only AS ro, @@super_read_only AS sro')).toEqual([{ ro: 1, sro: 1 }]);
    startSidecar(cluster, pod, { READY_CHECKS: '1' });
    await waitForReady(pod, 60_000);
  });

  it('mysql-2 clones from mysql-1, a replica: it keeps the donor channel to mysql-0 and replicates from there', async () => {
    const { pod, initLog } = await start(cluster, 2);
    expect(outcomeOf(initLog)).toBe('clone-pending');
    expect(cloneInfoOf(pod)?.donor).toBe('mysql-1');
    const [channel] = await pod.query('SHOW REPLICA STATUS');
    expect(channel).toMatchObject({ Source_Host: primary.fqdn, Replica_IO_Running: 'Yes', Replica_SQL_Running: 'Yes', Auto_Position: 1 });
    await waitForSameData(primary, [cluster.pod(1), pod], 'app.seed');
  });

  it('every acknowledged row reaches both clones', async () => {
    const acknowledged = await writer.stop();
    expect(writer.errors).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(100);
    const digest = await waitForSameData(primary, [cluster.pod(1), cluster.pod(2)], 'app.rows', 60_000);
    expect(digest.count).toBe(acknowledged.length);
  });

  it('a lost mysql-0 volume comes back cloned from the most advanced replica, writable, replicating from nobody; replicas follow it', async () => {
    await primary.query('INSERT INTO app.rows VALUES (1000000, "before the loss")');
    await waitForSameData(primary, [cluster.pod(1), cluster.pod(2)], 'app.rows');
    await cluster.deletePod(0);
    cluster.removePodData(0);
    const { pod, initLog } = await start(cluster, 0);
    primary = pod;
    expect(outcomeOf(initLog)).toBe('clone-pending');
    expect(['mysql-1', 'mysql-2']).toContain(cloneInfoOf(pod)?.donor);
    expect(await pod.query('SHOW REPLICA STATUS')).toEqual([]);
    const [server] = await pod.query('SELECT @@read_only AS ro, @@super_read_only AS sro');
    expect(server).toEqual({ ro: 0, sro: 0 });
    expect(await pod.query('SELECT note FROM app.rows WHERE id = 1000000')).toEqual([{ note: 'before the loss' }]);
    await pod.query('INSERT INTO app.rows VALUES (1000001, "after the loss")');
    await waitForSameData(pod, [cluster.pod(1), cluster.pod(2)], 'app.rows', 60_000);
  });
});
