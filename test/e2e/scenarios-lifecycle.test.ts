import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAgentIn } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { numbersTable } from '../support/numbers.js';
import { cloneInfoOf } from '../support/pod-inspect.js';
import { statusOf, waitForWrites } from '../support/pod-probes.js';
import { donations } from './support/donations.js';
import { withWriter } from './support/with-writer.js';
import { cloneStampOf, initOutcomeOf, initPlanOf, markerOf, startPod, type PodStart } from './support/pod-start.js';
import { EACH_SERVER } from './support/servers.js';

/** Faster readiness flips than the defaults, so each scenario takes seconds. */
const ENV = { READY_CHECKS: '2' };
const KEPT = 'data dir already initialized: nothing to do';
/** A MySQL clone restarts the server and other test runs share the two cores: a minute is not enough. Over budget fails rather than runs on. */
const SCENARIO_TIMEOUT_MS = 300_000;

/** Pod names that `mysql-sts-agent peers` finds in DNS from inside `pod`. */
async function peersSeenBy(cluster: Cluster, pod: Pod): Promise<string[]> {
  const result = await runAgentIn(cluster, pod, ['peers', '--json']);
  expect(result.exitCode, result.stderr).toBe(0);
  return (JSON.parse(result.stdout) as { peers: { name: string }[] }).peers.map((peer) => peer.name);
}

/**
 * The StatefulSet's life: ordered bring-up from empty volumes, scaling up and
 * down with kept volumes, pods deleted with and without their volume, on each
 * server (MariaDB clones with a backup stream in init, MySQL with the CLONE
 * plugin from the sidecar, its server restarting once per clone). A writer on
 * mysql-0 runs through each scenario; each ends with the nothing-lost check.
 */
describe.each(EACH_SERVER)('e2e on %s: a StatefulSet is brought up, scaled and has its pods recreated without losing a row', (_name, server) => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: server.overlay });
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('1. ordered bring-up from empty volumes: mysql-0 initialises, mysql-1 clones from mysql-0, mysql-2 from mysql-1', async () => {
    const first = await startPod(cluster, 0, ENV);
    expect(initPlanOf(first.initLog)).toBe('bootstrap');
    expect(cloneInfoOf(first.pod)).toBeUndefined();
    await first.pod.query('CREATE DATABASE app');
    // Something for the clones to carry besides the writer's rows.
    await first.pod.query(`CREATE TABLE app.seed (id INT PRIMARY KEY, note VARCHAR(64)) SELECT n AS id, REPEAT('x', 64) AS note FROM ${numbersTable(20_000)} AS numbers`);
    const starts: PodStart[] = [first];
    await withWriter(cluster, '1. ordered bring-up of 3', 'app.bring_up', async () => {
      starts.push(await startPod(cluster, 1, ENV));
      starts.push(await startPod(cluster, 2, ENV));
      return Math.max(...starts.map((start) => start.timeToReadyMs));
    });
    for (const [n, donor] of [[1, 'mysql-0'], [2, 'mysql-1']] as const) {
      const { pod, initLog } = starts[n] as PodStart;
      expect(initPlanOf(initLog)).toBe('clone');
      expect(initOutcomeOf(initLog)).toBe(server.clone.initOutcome);
      // Only the CLONE plugin restarts the server, once, to finish the clone.
      expect(pod.server.restartCount).toBe(server.clone.restarts);
      expect(cloneInfoOf(pod)?.donor).toBe(donor);
      expect(markerOf(pod)?.how).toBe('clone');
      // The sidecar tells peers and humans the same story as the volume.
      const status = await statusOf(pod);
      expect({ role: status.role, ready: status.ready, dataDir: status.dataDir, donor: status.clone?.donor }).toEqual({
        role: 'replica',
        ready: true,
        dataDir: 'initialized',
        donor,
      });
    }
    expect((await statusOf(first.pod)).role).toBe('primary');
  }, SCENARIO_TIMEOUT_MS);

  it('2. scale to 4 (mysql-3 clones from mysql-2), back to 3 keeping the volume, up again: no new clone, and it catches up', async () => {
    let rowsWhileGone: number[] = [];
    await withWriter(cluster, '2. scale 3 -> 4 -> 3 -> 4', 'app.scaling', async (writer) => {
      const added = await startPod(cluster, 3, ENV);
      expect(cloneInfoOf(added.pod)?.donor).toBe('mysql-2');
      const stamp = cloneStampOf(added.pod);
      await cluster.deletePod(3);
      expect(await peersSeenBy(cluster, cluster.pod(1))).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
      expect(markerOf(added.pod)?.how).toBe('clone'); // the volume outlives the pod
      const goneAt = writer.acknowledged.length;
      await waitForWrites(writer, 100);
      rowsWhileGone = writer.acknowledged.slice(goneAt);
      const served = await donations(server, cluster.listPods());

      const again = await startPod(cluster, 3, ENV);
      expect(again.init.stdout).toContain(KEPT);
      expect(initPlanOf(again.initLog)).toBeUndefined();
      expect(initOutcomeOf(again.initLog)).toBe('kept');
      expect(again.pod.server.restartCount).toBe(0);
      expect(cloneStampOf(again.pod)).toEqual(stamp);
      expect(await donations(server, cluster.listPods().slice(0, 3))).toBe(served);
      return again.timeToReadyMs;
    });
    // checkNothingLost proved every acknowledged row is on mysql-3; these are the ones it had to fetch after coming back.
    expect(rowsWhileGone.length).toBeGreaterThanOrEqual(100);
  }, SCENARIO_TIMEOUT_MS);

  it('3a. a pod deleted and recreated on its volume resumes replication without cloning', async () => {
    await withWriter(cluster, '3a. pod recreated, same volume', 'app.recreated', async (writer) => {
      const stamp = cloneStampOf(cluster.pod(1));
      expect(stamp).toBeDefined();
      const others = (): Pod[] => cluster.listPods().filter((pod) => pod.n !== 1);
      const served = await donations(server, others());
      await cluster.deletePod(1);
      await waitForWrites(writer, 50); // rows it must fetch when it is back
      const back = await startPod(cluster, 1, ENV);
      expect(back.init.stdout).toContain(KEPT);
      expect(initPlanOf(back.initLog)).toBeUndefined();
      expect(back.pod.server.restartCount).toBe(0);
      expect(cloneStampOf(back.pod)).toEqual(stamp);
      expect(await donations(server, others())).toBe(served);
      return back.timeToReadyMs;
    });
  }, SCENARIO_TIMEOUT_MS);

  it('3b. a pod recreated with its volume removed clones again, from the previous ordinal', async () => {
    await withWriter(cluster, '3b. pod recreated, volume removed', 'app.reclone', async () => {
      const before = cloneInfoOf(cluster.pod(1));
      await cluster.deletePod(1);
      cluster.removePodData(1);
      const fresh = await startPod(cluster, 1, ENV);
      expect(initPlanOf(fresh.initLog)).toBe('clone');
      expect(fresh.pod.server.restartCount).toBe(server.clone.restarts);
      const after = cloneInfoOf(fresh.pod);
      expect(after?.donor).toBe('mysql-0');
      expect(after?.finishedAt).not.toBe(before?.finishedAt);
      expect(markerOf(fresh.pod)?.how).toBe('clone');
      return fresh.timeToReadyMs;
    });
  }, SCENARIO_TIMEOUT_MS);
});
