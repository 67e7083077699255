import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { CONTAINERS } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import { containerOf } from '../cluster/manifest.js';
import type { Pod } from '../cluster/pod.js';
import { waitFor } from '../cluster/wait.js';
import { cloneInfoOf } from '../support/pod-inspect.js';
import { podmanUnusable } from '../support/podman.js';
import { startBulkPrimary } from './support/bulk-primary.js';
import { containerProcesses } from './support/container-facts.js';
import { cloneUnderWrites, clusterFromImage, expectRestricted } from './support/image-scenario.js';
import { initPlanOf, markerOf, startPod } from './support/pod-start.js';
import { spawnInit } from './support/pod-lifecycle.js';
import { withWriter } from './support/with-writer.js';

/**
 * The agent as the StatefulSet runs it: init and sidecar are podman
 * containers of the MariaDB image (`Cluster.create({ agentImage })`), uid 999,
 * read-only root, no capabilities, no privilege gain, with the manifest's
 * volumes, env and Secret files, in the pods' network namespaces beside the
 * harness's servers. The same scenario helpers as the host-process scenarios.
 * Where podman cannot run, the tests are skipped with the reason.
 */
const ENV = { READY_CHECKS: '2' };
const OVERLAY = 'k8s/overlays/mariadb-10.11';
const SCENARIO_TIMEOUT_MS = 300_000;
/** init's exit code when it is stopped (SIGTERM); podman's SIGKILL after the grace period would show 137. */
const INIT_STOPPED = 8;

let unusable: string | undefined;
let cluster: Cluster;

function requirePodman(context: TestContext): void {
  if (unusable !== undefined) context.skip(unusable);
}

/** Waits until a clone streams into the pod's staging dir. */
async function waitForStaging(pod: Pod): Promise<void> {
  const staging = join(pod.paths.data, '.mysql-sts-agent', 'staging');
  await waitFor(async () => (existsSync(staging) && readdirSync(staging).length > 0 ? true : undefined), {
    what: `a clone to land in ${pod.name}'s staging dir`,
    timeoutMs: 60_000,
    intervalMs: 5,
  });
}

describe('e2e on MariaDB with the agent from its image (podman): the pods run the init and sidecar containers as the StatefulSet does', () => {
  beforeAll(async () => {
    unusable = await podmanUnusable();
    if (unusable !== undefined) return;
    cluster = await clusterFromImage(OVERLAY, 'mariadb');
    // The image the harness runs is the flavour the overlay names.
    expect(containerOf(cluster.workload, CONTAINERS.init).image).toMatch(/-mariadb-10\.11$/);
    await startBulkPrimary(cluster, ENV, []);
  }, 600_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('I1. ordered bring-up under writes: mysql-1 clones from mysql-0; every agent process runs as 999:999 on a read-only root with no capabilities', async (context) => {
    requirePodman(context);
    // init streams the copy itself; the harness's server is a host process, as the pod's user too.
    await cloneUnderWrites(cluster, {
      scenario: 'I1. bring-up, agent from the image',
      table: 'app.bring_up',
      env: ENV,
      ordinal: 1,
      donor: 'mysql-0',
      method: 'backup-stream',
      outcome: 'cloned',
      daemon: 'mariadbd',
    });
  }, SCENARIO_TIMEOUT_MS);

  it('I2. mysql-2 deleted while it clones: init (PID 1 of its container) ends on the SIGTERM within its grace, no half-written data dir; the next start clones; nothing lost', async (context) => {
    requirePodman(context);
    await withWriter(cluster, 'I2. pod deleted mid-clone, agent from the image', 'app.deleted_mid_clone', async () => {
      // The donor's sidecar runs mariadb-backup for this clone: seen while it runs.
      const donorSeen = containerProcesses(cluster.pod(1), CONTAINERS.sidecar, 2);
      donorSeen.catch(() => undefined); // awaited below; a failure before then must not go unhandled
      const pod = await cluster.addPod(2);
      const init = spawnInit(cluster, pod, 'init-deleted', ENV);
      await waitForStaging(pod);
      // PID 1 and the stream's extractor (or the backup tool preparing it): all the pod's user.
      const recipient = await containerProcesses(pod, CONTAINERS.init, 2);
      expectRestricted(recipient);
      expect(recipient.slice(1).map((one) => one.comm)).toContainEqual(expect.stringMatching(/^(mbstream|mariadb-backup)$/));
      const donor = await donorSeen;
      expectRestricted(donor);
      expect(donor.map((one) => one.comm)).toContain('mariadb-backup');
      await cluster.deletePod(2);
      const exit = await init.process.exited;
      expect({ exit, log: exit.exitCode === INIT_STOPPED ? '' : init.log() }).toEqual({ exit: { exitCode: INIT_STOPPED, signal: undefined }, log: '' });
      // Its one line names the signal podman sent: the kubelet's stop, not a kill.
      expect(init.log()).toContain('mysql-sts-agent init: stopped by SIGTERM before init finished; the data dir holds no partial clone');
      expect(await pod.fromImage?.remaining()).toEqual([]);
      // Nothing of the cut clone is left for the server to take for data.
      expect(readdirSync(pod.paths.data)).toEqual([]);
      expect(markerOf(pod)).toBeUndefined();

      const again = await startPod(cluster, 2, ENV);
      expect(initPlanOf(again.initLog)).toBe('clone');
      expect(cloneInfoOf(again.pod)?.donor).toBe('mysql-1');
      expect(markerOf(again.pod)?.how).toBe('clone');
      return again.timeToReadyMs;
    });
  }, SCENARIO_TIMEOUT_MS);
});
