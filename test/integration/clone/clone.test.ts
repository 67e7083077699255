import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cloneSecretFile, HTTP_PORT, runInitContainer, startAgentPod, startSidecar, waitForSidecar } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { waitFor } from '../../cluster/wait.js';
import { ArgvWatch } from '../../support/argv-watch.js';
import { loadBulk } from '../../support/bulk-data.js';
import { cloneInfoOf, pidsNamed, tableDigest } from '../../support/pod-inspect.js';
import { RowWriter } from '../../support/row-writer.js';

/** Kills the donor's sidecar once the stream is flowing: files have landed in the recipient's staging dir. */
async function killDonorMidStream(donor: Pod, recipient: Pod): Promise<void> {
  const staging = join(recipient.paths.data, '.mysql-sts-agent', 'staging');
  await waitFor(async () => (existsSync(staging) && readdirSync(staging).length > 0 ? true : undefined), {
    what: `the stream from ${donor.name} to reach ${recipient.name}`,
    timeoutMs: 60_000,
    intervalMs: 5,
  });
  expect((await pidsNamed(donor, 'mariadb-backup')).length).toBe(1);
  const sidecar = donor.processes().find((record) => record.label === 'sidecar');
  if (sidecar === undefined) throw new Error(`${donor.name} has no sidecar`);
  process.kill(sidecar.pid, 'SIGKILL');
}

describe('clone: a live set grows from empty volumes', () => {
  let cluster: Cluster;
  let password: string;
  let secret: string;
  const pods: Pod[] = [];

  beforeAll(async () => {
    cluster = await Cluster.create();
    password = cluster.secrets.rootPassword;
    secret = readFileSync(cloneSecretFile(cluster), 'utf8');
    pods.push(await startAgentPod(cluster, 0));
    const primary = pods[0] as Pod;
    await primary.query('CREATE DATABASE app');
    await primary.query('CREATE TABLE app.rows (id INT PRIMARY KEY, note VARCHAR(64))');
    await loadBulk(primary);
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('clones mysql-1 from mysql-0 and mysql-2 from mysql-1 under writes; every acknowledged row arrives everywhere', async () => {
    const primary = pods[0] as Pod;
    const writer = new RowWriter(() => primary.connect(), 'app.rows');
    const argv = new ArgvWatch([password, secret]);
    writer.start();
    argv.start();
    try {
      // Each replica's sidecar points it at mysql-0 from its clone's GTID position.
      pods.push(await startAgentPod(cluster, 1));
      pods.push(await startAgentPod(cluster, 2));
    } finally {
      argv.stop();
    }
    const acknowledged = await writer.stop();
    expect(acknowledged.length).toBeGreaterThan(50);
    expect(argv.scans).toBeGreaterThan(20);
    expect(argv.leaks).toEqual([]);

    expect(cloneInfoOf(pods[1] as Pod)?.donor).toBe('mysql-0');
    expect(cloneInfoOf(pods[2] as Pod)?.donor).toBe('mysql-1');
    expect(cloneInfoOf(pods[2] as Pod)?.coordinates.gtid).toMatch(/^0-100-\d+$/);

    const expected = await tableDigest(primary, 'app.rows');
    expect(expected.count).toBeGreaterThanOrEqual(acknowledged.length);
    for (const replica of [pods[1], pods[2]] as Pod[]) {
      await waitFor(async () => ((await tableDigest(replica, 'app.rows')).count === expected.count ? true : undefined), {
        what: `${replica.name} to catch up`,
        timeoutMs: 30_000,
      });
      expect(await tableDigest(replica, 'app.rows')).toEqual(expected);
      expect(await tableDigest(replica, 'app.bulk')).toEqual(await tableDigest(primary, 'app.bulk'));
      const ids = new Set((await replica.query<{ id: number }>('SELECT id FROM app.rows')).map((row) => row.id));
      expect(acknowledged.filter((id) => !ids.has(id))).toEqual([]);
    }
  });

  it('runs init again after success without changing or cloning anything', async () => {
    const replica = pods[1] as Pod;
    const infoFile = join(replica.paths.state, 'clone.json');
    const before = statSync(infoFile).mtimeMs;
    const again = await runInitContainer(cluster, replica);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('data dir already initialized: nothing to do');
    expect(again.stdout).not.toContain('cloning');
    expect(statSync(infoFile).mtimeMs).toBe(before);
    // The sidecar exports the clone that made this pod.
    const metrics = await replica.httpGet(HTTP_PORT, '/metrics');
    expect(metrics.body).toMatch(/^mysql_sts_clone_info\{donor="mysql-0"\} 1$/m);
    expect(metrics.body).toMatch(/^mysql_sts_clone_received_bytes [1-9]\d+$/m);
    expect(metrics.body).toMatch(/^mysql_sts_clone_duration_seconds [\d.]+$/m);
  });

  it('retries from another peer when the donor dies mid-stream', async () => {
    const donor = pods[2] as Pod;
    const recipient = await cluster.addPod(3);
    const init = runInitContainer(cluster, recipient);
    await killDonorMidStream(donor, recipient);
    const result = await init;
    expect(result.exitCode, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/"donor":"mysql-2".*"msg":"clone failed; trying the next donor"/);
    expect(cloneInfoOf(recipient)?.donor).toMatch(/^mysql-[01]$/);
    await recipient.startServer();
    expect(await tableDigest(recipient, 'app.bulk')).toEqual(await tableDigest(pods[0] as Pod, 'app.bulk'));
    startSidecar(cluster, donor);
    await waitForSidecar(donor);
  });

  it('brings a lost primary volume back with the data, cloned from the most advanced replica', async () => {
    const rowsBefore = await tableDigest(pods[0] as Pod, 'app.rows');
    await cluster.deletePod(0);
    cluster.removePodData(0);
    const primary = await startAgentPod(cluster, 0);
    const donor = cloneInfoOf(primary)?.donor;
    expect(donor).toMatch(/^mysql-[12]$/);
    expect(await tableDigest(primary, 'app.rows')).toEqual(rowsBefore);
    const [row] = await primary.query<{ ro: number }>('SELECT @@read_only AS ro');
    expect(row?.ro).toBe(0);
  });
});

describe('clone: a cut stream with no other donor', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.create();
    const primary = await startAgentPod(cluster, 0);
    await primary.query('CREATE DATABASE app');
    await loadBulk(primary);
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('exits non-zero with one line, and leaves an empty data dir without a marker', async () => {
    const recipient = await cluster.addPod(1);
    const init = runInitContainer(cluster, recipient, { INIT_DEADLINE_SECONDS: '6' });
    await killDonorMidStream(cluster.pod(0), recipient);
    const result = await init;
    expect(result.exitCode).toBe(5);
    const lines = result.stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    // After the cut the donor is gone, so the last word is that no donor is left.
    expect(lines[0]).toMatch(/^mysql-sts-agent init: failed to find a donor: no peer is ready to donate a clone yet \(mysql-0: no answer\)$/);
    expect(result.stdout).toMatch(/"error":"the stream from mysql-0 was cut after [1-9]\d* bytes[^"]*","msg":"clone failed; trying the next donor"/);
    expect(readdirSync(recipient.paths.data)).toEqual([]);
  });
});
