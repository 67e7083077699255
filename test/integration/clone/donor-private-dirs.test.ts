import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnInitContainer, startAgentPod, startSidecar, waitForSidecar } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import type { ManagedProcess } from '../../cluster/processes.js';
import { waitFor } from '../../cluster/wait.js';
import { loadBulk } from '../../support/bulk-data.js';
import { pidsNamed } from '../../support/pod-inspect.js';

/**
 * Issue 13, part 6: the donor's option file (the agent's password) lives in a
 * private dir under TMPDIR, /tmp in a pod (an emptyDir that outlives the
 * sidecar container). Here the donor's sidecar gets a TMPDIR of this test's
 * own, so the test sees exactly its dirs.
 */
describe('the donor leaves no private dir behind', () => {
  let cluster: Cluster;
  let tmp: string;
  let donor: Pod;
  let recipient: Pod;
  const env = () => ({ TMPDIR: tmp });
  const privateDirs = () => readdirSync(tmp).filter((name) => name.startsWith('msa-'));
  const sidecarPid = (): number => {
    const record = donor.processes().find((candidate) => candidate.label === 'sidecar');
    if (record === undefined) throw new Error(`${donor.name} has no sidecar`);
    return record.pid;
  };
  const sidecarGone = () =>
    waitFor(async () => (donor.processes().some((candidate) => candidate.label === 'sidecar') ? undefined : true), { what: 'the sidecar to exit', timeoutMs: 30_000 });
  /** A recipient's clone from the donor, until the donor's backup has made its private dir. */
  const cloneUntilBackupStarts = async (): Promise<{ init: ManagedProcess; dir: string }> => {
    const init = spawnInitContainer(cluster, recipient, 'init', { INIT_DEADLINE_SECONDS: '5' });
    // Mid-backup: the tool runs, so its option file is written (the dir is made a moment before).
    const running = async () => ((await pidsNamed(donor, 'mariadb-backup')).length > 0 ? privateDirs()[0] : undefined);
    const name = await waitFor(running, { what: `${donor.name}'s backup to start`, timeoutMs: 60_000, intervalMs: 5 });
    return { init, dir: join(tmp, name) };
  };
  const endClone = async (init: ManagedProcess) => {
    await init.exited;
    await waitFor(async () => ((await pidsNamed(donor, 'mariadb-backup')).length === 0 ? true : undefined), { what: 'the backup tool to end', timeoutMs: 60_000 });
  };

  beforeAll(async () => {
    tmp = mkdtempSync(join(tmpdir(), 'diskfull-sidecar-tmp-'));
    cluster = await Cluster.create();
    // What a sidecar SIGKILLed mid-backup by an earlier version left (`msa-backup-XXXXXX`), and one by this version.
    for (const name of ['msa-backup-Qq1Qq1', 'msa-backup-4194303-7-Pp2Pp2']) {
      mkdirSync(join(tmp, name));
      writeFileSync(join(tmp, name, 'client.cnf'), '[client]\npassword="left-behind"\n');
    }
    donor = await startAgentPod(cluster, 0, env());
    await donor.query('CREATE DATABASE app');
    await loadBulk(donor);
    recipient = await cluster.addPod(1);
  });
  afterAll(async () => {
    await cluster?.down();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('removes the dirs a killed sidecar left when it starts', () => {
    expect(privateDirs()).toEqual([]);
    const log = readFileSync(join(donor.paths.logs, 'sidecar.log'), 'utf8');
    const line = log.split('\n').find((candidate) => candidate.includes('removed private dirs a previous run left behind'));
    expect(line).toContain(join(tmp, 'msa-backup-Qq1Qq1'));
    expect(line).toContain(join(tmp, 'msa-backup-4194303-7-Pp2Pp2'));
    expect(line).not.toContain('left-behind');
  });

  it('removes the backup\'s dir when SIGTERM ends the sidecar mid-backup', async () => {
    const { init, dir } = await cloneUntilBackupStarts();
    expect(readdirSync(dir)).toContain('client.cnf');
    process.kill(sidecarPid(), 'SIGTERM');
    await sidecarGone();
    expect(privateDirs()).toEqual([]);
    expect(await pidsNamed(donor, 'mariadb-backup')).toEqual([]);
    await endClone(init);
  });

  it('a SIGKILLed sidecar leaves its dir, and the next start removes it', async () => {
    startSidecar(cluster, donor, env());
    await waitForSidecar(donor);
    const { init, dir } = await cloneUntilBackupStarts();
    process.kill(sidecarPid(), 'SIGKILL');
    await sidecarGone();
    expect(readFileSync(join(dir, 'client.cnf'), 'utf8')).toContain('password=');
    startSidecar(cluster, donor, env());
    await waitForSidecar(donor);
    expect(existsSync(dir)).toBe(false);
    expect(privateDirs()).toEqual([]);
    await endClone(init);
  });
});
