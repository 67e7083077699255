import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInitContainer, startContainers } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { startBulkDonor } from '../../support/bulk-data.js';
import { expectReportedOnce, lastClone, RETRY_WINDOW_MS, startUntilCloneFails, stopContainers } from '../../support/clone-plugin-failure.js';
import { cloneInfoOf } from '../../support/pod-inspect.js';
import { readyzOf, waitForSameData } from '../../support/pod-probes.js';
import { fillVolume, mountSmallVolume, resizeSmallVolume } from '../../support/small-volume.js';

/**
 * A MySQL 9.7 pod whose volume cannot hold the CLONE plugin's copy
 * (ARCHITECTURE.md, "Clone failures"): the sidecar says so plainly, tries no
 * other donor and waits 10 min instead of cloning again every few seconds; a
 * grown volume clones on the pod's next start. The volume is a tmpfs the
 * server in its root filesystem writes to (test/support/small-volume.ts).
 */

const OVERLAY = 'k8s/overlays/mysql-9.7';
const MIB = 1024 ** 2;
const ENV = { READY_CHECKS: '1' };

describe('CLONE plugin into a volume that cannot hold it (MySQL 9.7, issue 13, part 3)', () => {
  let cluster: Cluster;
  let donor: Pod;
  let recipient: Pod;

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: OVERLAY });
    donor = await startBulkDonor(cluster, ENV);
    recipient = await cluster.addPod(1);
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('a volume that fills during the copy: the OS error (errno 28), reported once, the next try in 10 min', async () => {
    // Room for the clone (MySQL's check passes): another writer takes the rest once the copy runs.
    await mountSmallVolume(recipient, 600 * MIB);
    const failed = await startUntilCloneFails(cluster, recipient, ENV, () => fillVolume(recipient));
    const clone = await lastClone(recipient);
    // ER_ERROR_ON_WRITE, naming the file the copy was writing.
    expect(clone).toMatchObject({ STATE: 'Failed', ERROR_NO: 1026 });
    expect(clone.ERROR_MESSAGE).toMatch(/^Error writing file '[^']+' \(errno: 28 - No space left on device\)$/);
    // The same decision as for a volume too small (one statement, the 10 min wait in the log); scenario 12 watches this one's window.
    expect(failed.report.donor).toBe('mysql-0');
    await expectReportedOnce(recipient, failed, `no space left on the data volume (ENOSPC) while cloning from mysql-0: ${clone.ERROR_MESSAGE}`);
    await stopContainers(recipient);
  });

  it("a volume too small from the start: MySQL's own space check (ER_CLONE_DISK_SPACE), reported once, no retry for 10 min", async () => {
    // Room for the empty server the image initialises (~140 MB), not for the clone: the next start fails the same way until the volume grows.
    await mountSmallVolume(recipient, 200 * MIB);
    const failed = await startUntilCloneFails(cluster, recipient, ENV);
    const clone = await lastClone(recipient);
    expect(clone).toMatchObject({ STATE: 'Failed', ERROR_NO: 3873 });
    expect(clone.ERROR_MESSAGE).toMatch(/^Clone estimated database size is [\d.]+ MiB\. Available space [\d.]+ MiB is not enough\.$/);
    // No other CLONE reaches the server in the window where any other failure would be retried.
    await sleep(RETRY_WINDOW_MS);
    expect(await lastClone(recipient)).toEqual(clone);
    expect(failed.report.donor).toBe('mysql-0');
    await expectReportedOnce(recipient, failed, `volume too small while cloning from mysql-0: ${clone.ERROR_MESSAGE}`);
  });

  it("the grown volume clones on the pod's next start, and the pod ends Ready with every row", async () => {
    await stopContainers(recipient);
    // Grown in place (init wipes what the failed clone left: the size is what changed).
    await resizeSmallVolume(recipient, 1200 * MIB);
    const init = await runInitContainer(cluster, recipient, ENV);
    expect(init.exitCode, init.stderr).toBe(0);
    await startContainers(cluster, recipient, ENV, 120_000);
    expect(cloneInfoOf(recipient)?.donor).toBe('mysql-0');
    expect(await lastClone(recipient)).toMatchObject({ STATE: 'Completed', ERROR_NO: 0 });
    for (const table of ['app.bulk', 'app.bulk2']) await waitForSameData(donor, [recipient], table);
    expect((await readyzOf(recipient)).status).toBe(200);
  });
});
