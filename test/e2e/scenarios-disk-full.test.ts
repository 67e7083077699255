import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInitContainer } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { waitFor } from '../cluster/wait.js';
import { expectReportedOnce, lastClone, RETRY_WINDOW_MS, startUntilCloneFails, stopContainers } from '../support/clone-plugin-failure.js';
import { cloneInfoOf, pidsNamed } from '../support/pod-inspect.js';
import { waitForWrites } from '../support/pod-probes.js';
import { startBulkPrimary } from './support/bulk-primary.js';
import { RowWriter } from '../support/row-writer.js';
import { donorServing, fillVolume, mountSmallVolume, resizeSmallVolume, servedBackups } from '../support/small-volume.js';
import { directorySize } from '../../src/fs/directory-size.js';
import { isOutsideBackup } from '../../src/data-dir/backup-size.js';
import { roomNeeded } from '../../src/clone/recipient/room.js';
import { donations } from './support/donations.js';
import { expectNothingLost } from './support/expect-nothing-lost.js';
import { checkNothingLost } from './support/nothing-lost.js';
import { finishStart, initOutcomeOf, initPlanOf, startPod, type PodStart } from './support/pod-start.js';
import { EACH_SERVER, type E2eServer } from './support/servers.js';

const ENV = { READY_CHECKS: '2' };
const SCENARIO_TIMEOUT_MS = 300_000;
const SET_UP_TIMEOUT_MS = 300_000;
const MIB = 1024 ** 2;
const GROWN = 2048 * MIB;

function backupsServed(served: readonly Record<string, number>[]): number {
  return served.flatMap((counts) => Object.values(counts)).reduce((sum, n) => sum + n, 0);
}

/**
 * MariaDB: init clones (the backup stream) and fails with exit 5 and one line
 * naming ENOSPC; the two donors served one backup between them; the next
 * start of init on the grown volume clones.
 */
async function fullInInit(cluster: Cluster, donors: readonly Pod[], recipient: Pod): Promise<PodStart> {
  // The free-space check passes; another writer then takes the rest of the volume while the clone flows.
  await mountSmallVolume(recipient, roomNeeded(await directorySize(cluster.pod(1).paths.data, isOutsideBackup)) + 64 * MIB);
  const before = backupsServed(await Promise.all(donors.map(servedBackups)));
  const init = runInitContainer(cluster, recipient, { ...ENV, INIT_DEADLINE_SECONDS: '120' });
  await waitFor(async () => ((await pidsNamed(recipient, 'mbstream')).length > 0 ? true : undefined), { what: 'mysql-2 to start its extractor', timeoutMs: 60_000, intervalMs: 5 });
  await fillVolume(recipient);
  const failed = await init;
  for (const donor of donors) await waitFor(async () => ((await donorServing(donor)) ? undefined : true), { what: `${donor.name} to end its backup`, timeoutMs: 30_000 });
  const after = backupsServed(await Promise.all(donors.map(servedBackups)));
  expect(failed.exitCode, failed.stderr).toBe(5);
  const lines = failed.stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(/^mysql-sts-agent init: no space left on the data volume \(ENOSPC\) while unpacking the clone from mysql-1 after \d+ bytes: mbstream: .*Errcode: 28 "No space left on device"/);
  expect(failed.stdout).not.toContain('trying the next donor');
  expect(after - before).toBe(1);
  // The operator grows the volume; the kubelet's next start of the init container clones.
  const started = Date.now();
  await mountSmallVolume(recipient, GROWN);
  const start = await finishStart(cluster, recipient, ENV, runInitContainer(cluster, recipient, ENV), started);
  expect(initPlanOf(start.initLog)).toBe('clone');
  return start;
}

/**
 * MySQL: init leaves the clone to the sidecar, whose CLONE INSTANCE fails on
 * MySQL's write error (errno 28): one reason naming ENOSPC, one clone on the
 * donors and none after it while any other failure would be retried; the
 * pod's next start on the grown volume clones.
 */
async function fullInSidecar(server: E2eServer, cluster: Cluster, donors: readonly Pod[], recipient: Pod): Promise<PodStart> {
  // Room for the empty server and the clone (MySQL's own space check passes): another writer takes the rest once the copy runs.
  await mountSmallVolume(recipient, 600 * MIB);
  const before = await donations(server, donors);
  const failed = await startUntilCloneFails(cluster, recipient, ENV, () => fillVolume(recipient));
  const atFailure = { donations: await donations(server, donors), clone: await lastClone(recipient) };
  await sleep(RETRY_WINDOW_MS);
  expect({ donations: await donations(server, donors), clone: await lastClone(recipient) }).toEqual(atFailure);
  expect(atFailure.donations).toBeGreaterThan(before);
  expect(failed.report.lastError).toMatch(/^no space left on the data volume \(ENOSPC\) while cloning from mysql-[01]: Error writing file '[^']+' \(errno: 28 - No space left on device\)$/);
  await expectReportedOnce(recipient, failed, failed.report.lastError ?? '');
  // The operator grows the volume and restarts the pod.
  await stopContainers(recipient);
  const started = Date.now();
  await resizeSmallVolume(recipient, GROWN);
  const start = await finishStart(cluster, recipient, ENV, runInitContainer(cluster, recipient, ENV), started);
  expect(initOutcomeOf(start.initLog)).toBe(server.clone.initOutcome);
  expect(['mysql-0', 'mysql-1']).toContain(cloneInfoOf(recipient)?.donor);
  return start;
}

/**
 * Issue 13's reproduction, part 3: a replica whose volume fills while it
 * clones, on each server with the method it clones with (ARCHITECTURE.md,
 * "Clone failures").
 */
describe.each(EACH_SERVER)(
  'e2e on %s: a volume that fills during a clone',
  (_name, server) => {
    let cluster: Cluster;
    let primary: Pod;

    beforeAll(async () => {
      cluster = await Cluster.create({ overlay: server.overlay });
      primary = await startBulkPrimary(cluster, ENV, ['disk_full']);
      await startPod(cluster, 1, ENV);
    }, SET_UP_TIMEOUT_MS);
    afterAll(async () => {
      await cluster?.down();
    });

    it('12. disk full: the clone fails once with one reason naming ENOSPC, is not retried into the ground, and clones once the volume is grown; writes go on', async () => {
      const donors = [primary, cluster.pod(1)];
      const writer = new RowWriter(() => primary.connect(), 'app.disk_full');
      writer.start();
      let acknowledged: number[];
      let start: PodStart;
      try {
        await waitForWrites(writer, 20);
        const recipient = await cluster.addPod(2);
        start = server.clone.method === 'backup-stream' ? await fullInInit(cluster, donors, recipient) : await fullInSidecar(server, cluster, donors, recipient);
        await waitForWrites(writer, 20);
      } finally {
        acknowledged = await writer.stop();
      }
      const report = await checkNothingLost({
        scenario: '12. disk full during a clone',
        primary,
        replicas: [cluster.pod(1), start.pod],
        acknowledged,
        table: 'app.disk_full',
        timeToReadyMs: start.timeToReadyMs,
      });
      expectNothingLost(report, ['mysql-0', 'mysql-1', 'mysql-2']);
    }, SCENARIO_TIMEOUT_MS);
  },
);
