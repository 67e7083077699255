import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInitContainer } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { waitFor } from '../cluster/wait.js';
import { pidsNamed } from '../support/pod-inspect.js';
import { waitForWrites } from '../support/pod-probes.js';
import { startBulkPrimary } from './support/bulk-primary.js';
import { RowWriter } from '../support/row-writer.js';
import { donorServing, fillVolume, mountSmallVolume, servedBackups } from '../support/small-volume.js';
import { directorySize } from '../../src/fs/directory-size.js';
import { isOutsideBackup } from '../../src/data-dir/backup-size.js';
import { roomNeeded } from '../../src/clone/recipient/room.js';
import { expectNothingLost } from './support/expect-nothing-lost.js';
import { checkNothingLost } from './support/nothing-lost.js';
import { finishStart, initPlanOf, startPod } from './support/pod-start.js';
import { E2E_SERVERS } from './support/servers.js';

const ENV = { READY_CHECKS: '2' };
const SCENARIO_TIMEOUT_MS = 300_000;
const SET_UP_TIMEOUT_MS = 300_000;
const MIB = 1024 ** 2;

function backupsServed(served: readonly Record<string, number>[]): number {
  return served.flatMap((counts) => Object.values(counts)).reduce((sum, n) => sum + n, 0);
}

/**
 * Issue 13's reproduction, part 3: a replica whose volume fills while it
 * clones. The backup stream is the method that clones in init (MariaDB); the
 * CLONE plugin's disk errors are classified by the same rules (unit tests).
 */
/** The servers whose init clones (the backup stream): MariaDB. */
const STREAM_SERVERS = E2E_SERVERS.filter((server) => server.clone.method === 'backup-stream').map((server) => [server.server, server] as const);

describe.each(STREAM_SERVERS)(
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

    it('12. disk full: init says ENOSPC in one line, costs the two donors one backup, and clones once the volume is grown; writes go on', async () => {
      const donors = [primary, cluster.pod(1)];
      const writer = new RowWriter(() => primary.connect(), 'app.disk_full');
      writer.start();
      let acknowledged: number[];
      let failed: Awaited<ReturnType<typeof runInitContainer>>;
      let before: number;
      let after: number;
      let started: number;
      let start: Awaited<ReturnType<typeof startPod>>;
      try {
        await waitForWrites(writer, 20);
        const recipient = await cluster.addPod(2);
        // The free-space check passes; another writer then takes the rest of the volume while the clone flows.
        await mountSmallVolume(recipient, roomNeeded(await directorySize(cluster.pod(1).paths.data, isOutsideBackup)) + 64 * MIB);
        before = backupsServed(await Promise.all(donors.map(servedBackups)));
        const init = runInitContainer(cluster, recipient, { ...ENV, INIT_DEADLINE_SECONDS: '120' });
        await waitFor(async () => ((await pidsNamed(recipient, 'mbstream')).length > 0 ? true : undefined), { what: 'mysql-2 to start its extractor', timeoutMs: 60_000, intervalMs: 5 });
        await fillVolume(recipient);
        failed = await init;
        for (const donor of donors) await waitFor(async () => ((await donorServing(donor)) ? undefined : true), { what: `${donor.name} to end its backup`, timeoutMs: 30_000 });
        after = backupsServed(await Promise.all(donors.map(servedBackups)));
        // The operator grows the volume; the kubelet's next start of the init container clones.
        started = Date.now();
        await mountSmallVolume(recipient, 2048 * MIB);
        start = await finishStart(cluster, recipient, ENV, runInitContainer(cluster, recipient, ENV), started);
        await waitForWrites(writer, 20);
      } finally {
        acknowledged = await writer.stop();
      }
      expect(failed.exitCode, failed.stderr).toBe(5);
      const lines = failed.stderr.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^mysql-sts-agent init: no space left on the data volume \(ENOSPC\) while unpacking the clone from mysql-1 after \d+ bytes: mbstream: .*Errcode: 28 "No space left on device"/);
      expect(failed.stdout).not.toContain('trying the next donor');
      expect(after - before).toBe(1);
      expect(initPlanOf(start.initLog)).toBe('clone');

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
