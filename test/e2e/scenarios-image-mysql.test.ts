import { readlinkSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { CONTAINERS } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import { podUserOf } from '../cluster/fs-group.js';
import { containerOf } from '../cluster/manifest.js';
import { MYSQL_ROOTFS } from '../cluster/mysql-image.js';
import { startPrimaryWithRows, statusOf } from '../support/pod-probes.js';
import { podmanUnusable } from '../support/podman.js';
import { cloneUnderWrites, clusterFromImage } from './support/image-scenario.js';

/**
 * The MySQL image (`plain`, the mysql-9.7 overlay's) as the StatefulSet runs
 * it: init and sidecar are podman containers of the image, uid 999, read-only
 * root, no capabilities, no privilege gain, the overlay's mounts and Secret
 * files, beside the harness's mysqld chrooted in its image's root filesystem
 * and running as 999 too: the identity config the init container writes is
 * what that mysqld reads, and the sidecar clones into it with the CLONE
 * plugin. Where podman cannot run, the test is skipped with the reason.
 */
const ENV = { READY_CHECKS: '2' };
const OVERLAY = 'k8s/overlays/mysql-9.7';
const SCENARIO_TIMEOUT_MS = 300_000;

let unusable: string | undefined;
let cluster: Cluster;

function requirePodman(context: TestContext): void {
  if (unusable !== undefined) context.skip(unusable);
}

describe('e2e on MySQL 9.7 with the agent from its image (podman): the pods run the init and sidecar containers as the StatefulSet does', () => {
  beforeAll(async () => {
    unusable = await podmanUnusable();
    if (unusable !== undefined) return;
    cluster = await clusterFromImage(OVERLAY, 'plain');
    // The image the harness runs is the flavour the overlay names: the plain one, no server suffix.
    expect(containerOf(cluster.workload, CONTAINERS.init).image).toMatch(/\/mysql-sts-agent:[0-9.]+$/);
    await startPrimaryWithRows(cluster, ENV);
  }, 600_000);
  afterAll(async () => {
    await cluster?.down();
  });

  it('I3. ordered bring-up under writes: mysql-1 clones from mysql-0 with the CLONE plugin into its chrooted mysqld; every agent process runs as 999:999 on a read-only root with no capabilities', async (context) => {
    requirePodman(context);
    const { pod } = await cloneUnderWrites(cluster, {
      scenario: 'I3. bring-up, MySQL agent from the image',
      table: 'app.bring_up',
      env: ENV,
      ordinal: 1,
      donor: 'mysql-0',
      method: 'clone-plugin',
      outcome: 'clone-pending',
      daemon: 'mysqld',
    });
    // The CLONE INSTANCE ended the recipient's mysqld once; the kubelet (the harness) started it again.
    expect(pod.server.restartCount).toBe(1);
    expect(await statusOf(pod)).toMatchObject({ ready: true, role: 'replica', dataDir: 'initialized', cloning: null, clone: { donor: 'mysql-0' } });
    // The identity config the init container wrote as the pod's user is what the chrooted mysqld read.
    const config = join(pod.paths.confD, 'mysql-sts-agent.cnf');
    const { uid } = podUserOf(cluster.workload);
    expect(statSync(config).uid).toBe(uid);
    expect(readlinkSync(`/proc/${pod.server.pid ?? 0}/root`)).toBe(MYSQL_ROOTFS);
    const [server] = await pod.query('SELECT @@server_id AS id, @@report_host AS host, @@super_read_only AS sro');
    expect(server).toEqual({ id: 101, host: pod.fqdn, sro: 1 });
  }, SCENARIO_TIMEOUT_MS);
});
