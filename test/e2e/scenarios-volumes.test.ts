import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInitContainer } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { cloneInfoOf } from '../support/pod-inspect.js';
import { metricsOf, readyzOf, sample, statusOf, waitForReadyz, waitForSameData, waitForWrites } from '../support/pod-probes.js';
import { startBulkPrimary } from './support/bulk-primary.js';
import { RowWriter } from '../support/row-writer.js';
import { expectNothingLost } from './support/expect-nothing-lost.js';
import { failedClonesOf, killDonorMidClone, slowCloneLink } from './support/mid-clone.js';
import { checkNothingLost } from './support/nothing-lost.js';
import { damageAgentFiles, globWipe, restartFromVolume } from './support/damaged-state.js';
import { finishStart, initOutcomeOf, initPlanOf, markerOf, startPod, type PodStart } from './support/pod-start.js';
import { holdLaggard, freezeUntilReplicated } from './support/primary-loss.js';
import { hasApplied, replicationThreads } from './support/replica-state.js';
import { ServerStartWatch } from './support/server-start-watch.js';
import { EACH_SERVER, type E2eServer } from './support/servers.js';

/** Faster readiness flips than the defaults, so each scenario takes seconds. */
const ENV = { READY_CHECKS: '2' };
/** A MySQL clone restarts the server; other test runs share the two cores. A scenario over budget fails rather than runs on. */
const SCENARIO_TIMEOUT_MS = 300_000;
/** Three pods, two of them clones (on MySQL each restarts its server), on a shared 2-core machine. */
const SET_UP_TIMEOUT_MS = 300_000;

describe.each(EACH_SERVER)('e2e on %s: volumes never hold a half-written clone, and a lost primary volume comes back with the data', (_name, server) => {
  let cluster: Cluster;
  let primary: Pod;

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: server.overlay });
    primary = await startBulkPrimary(cluster, ENV, ['mid_clone', 'lost_primary', 'damaged_state']);
    await startPod(cluster, 1, ENV);
    await startPod(cluster, 2, ENV);
  }, SET_UP_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.down();
  });

  it('5. the donor dies mid-clone: mysql-3 clones from another peer and never serves a half-written data dir; writes go on', async () => {
    const donor = cluster.pod(2);
    const writer = new RowWriter(() => primary.connect(), 'app.mid_clone');
    writer.start();
    let acknowledged: number[];
    let start: PodStart;
    let watch: ServerStartWatch | undefined;
    let ackedAtKill = 0;
    try {
      await waitForWrites(writer, 20);
      const started = Date.now();
      const recipient = await cluster.addPod(3);
      watch = new ServerStartWatch(recipient, server);
      watch.start();
      // Backup stream: the clone runs in init. CLONE plugin: init only asks for it; the sidecar clones once the server runs.
      const starting = finishStart(cluster, recipient, ENV, runInitContainer(cluster, recipient, ENV), started, slowCloneLink(server, recipient));
      starting.catch(() => undefined); // awaited below; a kill that fails first must not leave it unhandled
      await killDonorMidClone(server, donor, recipient);
      ackedAtKill = writer.acknowledged.length;
      await reviveDonor(server, donor);
      start = await starting;
      await waitForWrites(writer, 20);
    } finally {
      watch?.stop();
      acknowledged = await writer.stop();
    }
    const recipient = start.pod;
    // The first try went to the previous ordinal and failed on the cut stream; the second went elsewhere.
    const failed = failedClonesOf(server, recipient, start.initLog);
    expect(failed.map((event) => event.donor)).toEqual(['mysql-2']);
    // The stream's error names the donor; MySQL's says the donor lost the clone (the log line names the donor).
    expect(String(failed[0]?.error)).toMatch(server.clone.method === 'backup-stream' ? /mysql-2/ : /^Clone Donor Error: /);
    expect(cloneInfoOf(recipient)?.donor).toMatch(/^mysql-[01]$/);
    expect(markerOf(recipient)?.how).toBe('clone');
    expect(existsSync(join(recipient.paths.data, '.mysql-sts-agent', 'staging'))).toBe(false);
    expect(existsSync(join(recipient.paths.state, 'clone-request.json'))).toBe(false);
    expect(recipient.server.restartCount).toBe(server.clone.restarts);
    // The watch looked while the clone landed and while the server ran, and never saw a half-written data dir served.
    expect(watch?.stagingSamples).toBeGreaterThan(0);
    expect(watch?.serverSamples).toBeGreaterThan(0);
    if (server.clone.method === 'clone-plugin') expect(watch?.readinessSamples).toBeGreaterThan(0);
    expect(watch?.violations).toEqual([]);
    await expectDonorRecovered(server, donor);
    expect(writer.errors).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(ackedAtKill);

    const report = await checkNothingLost({
      scenario: '5. donor killed mid-clone',
      primary,
      replicas: [cluster.pod(1), donor, recipient],
      acknowledged,
      table: 'app.mid_clone',
      timeToReadyMs: start.timeToReadyMs,
    });
    expectNothingLost(report, ['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3']);
  }, SCENARIO_TIMEOUT_MS);

  it("8. mysql-0's volume is lost: it comes back cloned from the most advanced replica, not empty, and the replicas follow it again", async () => {
    const replicas = cluster.listPods().filter((pod) => pod.n > 0);
    // mysql-3 receives everything but cannot apply the writer's rows, so at the loss it is the least advanced peer.
    const laggard = cluster.pod(3);
    const hold = await holdLaggard(server, laggard, 'app.lost_primary');
    // The writer reaches whichever mysql-0 exists now.
    const writer = new RowWriter(() => cluster.pod(0).connect(), 'app.lost_primary');
    writer.start();
    let acknowledged: number[];
    let start: PodStart;
    let positionAtLoss: string;
    try {
      await waitForWrites(writer, 50);
      positionAtLoss = await freezeUntilReplicated(server, primary, replicas, laggard);
      expect(await hasApplied(server, laggard, positionAtLoss)).toBe(false);
      await cluster.deletePod(0);
      cluster.removePodData(0);
      start = await startPod(cluster, 0, ENV);
      await hold.query('UNLOCK TABLES');
      await waitForWrites(writer, 50);
    } finally {
      await hold.end();
      acknowledged = await writer.stop();
    }
    primary = start.pod;
    expect(initPlanOf(start.initLog)).toBe('clone');
    const clone = cloneInfoOf(primary);
    expect(clone?.donor).toMatch(/^mysql-[12]$/);
    // The clone holds exactly what the lost volume held: every transaction mysql-0 had logged.
    expect(clone?.coordinates.gtid?.replace(/\s+/g, '')).toBe(positionAtLoss);
    const [row] = await primary.query<{ ro: number }>('SELECT @@read_only AS ro');
    expect(row?.ro).toBe(0);

    const report = await checkNothingLost({
      scenario: '8. primary volume lost',
      primary,
      replicas,
      acknowledged,
      table: 'app.lost_primary',
      timeToReadyMs: start.timeToReadyMs,
    });
    expectNothingLost(report, ['mysql-0', ...replicas.map((replica) => replica.name)]);
    for (const replica of replicas) {
      expect(await replicationThreads(replica)).toEqual(['Yes', 'Yes', 0, '']);
      await waitForReadyz(replica, 200, { timeoutMs: 30_000 });
    }
  }, SCENARIO_TIMEOUT_MS);

  it('11. damaged local state: glob-wiped data dirs come back cloned (mysql-0 too, never empty), a torn marker and clone record neither crash the sidecar nor lose anything', async () => {
    const writer = new RowWriter(() => cluster.pod(0).connect(), 'app.damaged_state');
    writer.start();
    let acknowledged: number[];
    try {
      await waitForWrites(writer, 20);
      // A replica's data dir emptied by hand: its marker outlived the data, so it clones again instead of starting an empty server.
      await globWipe(cluster, cluster.pod(1));
      const wiped = await restartFromVolume(cluster, 1, ENV);
      expect(wiped.initLog.filter((event) => event.state === 'lost').map((event) => event.plan)).toEqual(['lost']);
      expect(initPlanOf(wiped.initLog)).toBe('clone');
      // A replica whose clone record is truncated and whose marker is torn: init recovers the marker from the data dir's id, the sidecar replicates without the record.
      await damageAgentFiles(cluster, cluster.pod(2));
      const damaged = await restartFromVolume(cluster, 2, ENV);
      expect(initOutcomeOf(damaged.initLog)).toBe('kept');
      expect(markerOf(damaged.pod)?.how).toBe('recovered');
      const status = await statusOf(damaged.pod);
      expect(status.damagedFiles).toEqual([{ file: 'clone.json', problem: expect.stringMatching(/^not JSON/), fix: expect.stringMatching(/replicates from the server's own GTID position without it/) }]);
      expect(status.clone).toBeNull();
      expect(sample(await metricsOf(damaged.pod), 'mysql_sts_state_file_damaged{file="clone.json"}')).toBe('1');
      expect(damaged.sidecarLog().filter((event) => event.msg.startsWith('damaged state file clone.json: '))).toHaveLength(1);
      await waitForWrites(writer, 20);
    } finally {
      acknowledged = await writer.stop();
    }
    // The primary's data dir emptied by hand once the replicas hold every acknowledged row: it comes back as a clone of the most advanced, writable.
    const replicas = cluster.listPods().filter((pod) => pod.n > 0);
    await waitForSameData(primary, replicas, 'app.damaged_state', 60_000);
    await globWipe(cluster, primary);
    const rebuilt = await restartFromVolume(cluster, 0, ENV);
    primary = rebuilt.pod;
    expect(initPlanOf(rebuilt.initLog)).toBe('clone');
    expect(cloneInfoOf(primary)?.donor).toMatch(/^mysql-[123]$/);
    const next = Math.max(...acknowledged) + 1;
    await primary.query('INSERT INTO app.damaged_state (id, note) VALUES (?, ?)', [next, 'after the rebuild']);
    acknowledged.push(next);

    const report = await checkNothingLost({ scenario: '11. damaged local state', primary, replicas, acknowledged, table: 'app.damaged_state', timeToReadyMs: rebuilt.timeToReadyMs });
    expectNothingLost(report, ['mysql-0', ...replicas.map((replica) => replica.name)]);
  }, SCENARIO_TIMEOUT_MS);
});

/**
 * CLONE plugin: the killed donor is a server, which the kubelet starts again
 * at once (the harness never restarts a server it killed itself, so the test
 * does). The recipient's server, which was waiting for the donor to come back,
 * then learns that its clone is gone there, and the sidecar moves on to the
 * next donor. Backup stream: only the donor's tool died; its pod runs on.
 */
async function reviveDonor(server: E2eServer, donor: Pod): Promise<void> {
  if (server.clone.method === 'clone-plugin') await donor.startServer();
}

/**
 * Backup stream: the donor's sidecar survived its tool, counted the backup as
 * failed and is still Ready. CLONE plugin: the donor's restarted server
 * replicates again and its pod is Ready.
 */
async function expectDonorRecovered(server: E2eServer, donor: Pod): Promise<void> {
  if (server.clone.method === 'backup-stream') {
    expect(await metricsOf(donor)).toMatch(/^mysql_sts_clone_served_total\{result="failed"\} 1$/m);
    expect((await readyzOf(donor)).status).toBe(200);
    return;
  }
  await waitForReadyz(donor, 200, { timeoutMs: 60_000 });
}
