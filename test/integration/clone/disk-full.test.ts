import { readdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInitContainer } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { waitFor } from '../../cluster/wait.js';
import { startBulkDonor } from '../../support/bulk-data.js';
import { pidsNamed } from '../../support/pod-inspect.js';
import { donorServing, fillVolume, mountSmallVolume, servedBackups, volumeOf } from '../../support/small-volume.js';
import { directorySize } from '../../../src/fs/directory-size.js';
import { isOutsideBackup } from '../../../src/data-dir/backup-size.js';
import { roomNeeded } from '../../../src/clone/recipient/room.js';

const MIB = 1024 ** 2;
/** Long enough that a retried clone would show: the tests end well before it, or the retries are counted on the donor. */
const DEADLINE = { INIT_DEADLINE_SECONDS: '120' };

function total(served: Record<string, number>): number {
  return Object.values(served).reduce((sum, n) => sum + n, 0);
}

/** The one line init prints on failure. */
function failureLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  expect(lines).toHaveLength(1);
  return lines[0] ?? '';
}

describe('clone into a volume that cannot hold it (issue 13, part 3)', () => {
  let cluster: Cluster;
  let donor: Pod;
  let recipient: Pod;

  beforeAll(async () => {
    cluster = await Cluster.create();
    donor = await startBulkDonor(cluster);
    recipient = await cluster.addPod(1);
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('fails at once with "volume too small" before the donor starts any backup', async () => {
    await mountSmallVolume(recipient, 64 * MIB);
    const before = await servedBackups(donor);
    const result = await runInitContainer(cluster, recipient, DEADLINE);
    expect(result.exitCode, result.stderr).toBe(5);
    expect(failureLine(result.stderr)).toMatch(/^mysql-sts-agent init: volume too small: the clone needs about 0\.\d\d GiB, \/var\/lib\/mysql has 0\.06 GiB free$/);
    expect(await servedBackups(donor)).toEqual(before);
    expect(result.stdout).not.toContain('trying the next donor');
    expect(readdirSync(volumeOf(recipient))).toEqual([]);
  });

  it('fails at once on a read-only volume, saying so, before the donor starts any backup', async () => {
    await mountSmallVolume(recipient, 1024 * MIB, { readOnly: true });
    const before = await servedBackups(donor);
    const result = await runInitContainer(cluster, recipient, DEADLINE);
    expect(result.exitCode, result.stderr).toBe(5);
    expect(failureLine(result.stderr)).toMatch(/^mysql-sts-agent init: the data volume is read-only \(EROFS\): cannot create \/var\/lib\/mysql\/\S+: /);
    expect(await servedBackups(donor)).toEqual(before);
    expect(result.stdout).not.toContain('trying the next donor');
  });

  it('says ENOSPC, not what the donor said, when the volume fills during the stream, and clones no more', async () => {
    const estimate = await directorySize(donor.paths.data, isOutsideBackup);
    await mountSmallVolume(recipient, roomNeeded(estimate) + 32 * MIB);
    const before = total(await servedBackups(donor));
    const init = runInitContainer(cluster, recipient, DEADLINE);
    // The extractor runs only once the free-space check passed, and before GO: filled now, the volume is full before the donor's first byte.
    await waitFor(async () => ((await pidsNamed(recipient, 'mbstream')).length > 0 ? true : undefined), { what: 'mysql-1 to start its extractor', timeoutMs: 60_000, intervalMs: 5 });
    await fillVolume(recipient);
    const result = await init;
    expect(result.exitCode, result.stderr).toBe(5);
    expect(failureLine(result.stderr)).toMatch(
      /^mysql-sts-agent init: no space left on the data volume \(ENOSPC\) while unpacking the clone from mysql-0 after \d+ bytes: mbstream: .*\(Errcode: 28 "No space left on device"\); the clone needs about 0\.\d\d GiB$/,
    );
    await waitFor(async () => ((await donorServing(donor)) ? undefined : true), { what: 'the donor to end its backup', timeoutMs: 30_000 });
    // One backup: no next donor, no next round.
    expect(total(await servedBackups(donor)) - before).toBe(1);
    expect(readdirSync(volumeOf(recipient))).toEqual([]);
  });
});
