import { execa } from 'execa';
import { chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateDir, removeStalePrivateDirs } from '../../../src/fs/private-dir.js';

const PRIVATE_DIR = fileURLToPath(new URL('../../../dist/fs/private-dir.js', import.meta.url));

/** This process's start time from /proc (field 22), as the dir names carry it. */
function startOf(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? '';
}

/** A node process (the built agent's module) that makes a private dir with a secret in `tmp`, prints its path, then ends as `how` says. */
async function childThatEnds(tmp: string, how: string): Promise<{ path: string; exitCode: number | undefined }> {
  const script = `
    const { createPrivateDir } = await import(${JSON.stringify(PRIVATE_DIR)});
    const dir = await createPrivateDir('msa-backup');
    await dir.writeSecretFile('client.cnf', 'password="s3cret"');
    console.log(dir.path);
    ${how}`;
  const result = await execa('node', ['--input-type=module', '-e', script], { env: { TMPDIR: tmp }, reject: false });
  return { path: result.stdout.trim().split('\n')[0] ?? '', exitCode: result.exitCode };
}

describe('private dirs never outlive the process that made them', () => {
  let tmp: string;

  beforeAll(() => {
    tmp = mkdtempSync(join(tmpdir(), 'diskfull-private-'));
  });
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('names the dir after its creator, 0700 with a 0600 secret file, gone after dispose', async () => {
    const previous = process.env.TMPDIR;
    process.env.TMPDIR = tmp;
    try {
      const dir = await createPrivateDir('msa-backup');
      expect(dir.path).toMatch(new RegExp(`/msa-backup-${process.pid}-${startOf(process.pid)}-[A-Za-z0-9]{6}$`));
      const file = await dir.writeSecretFile('client.cnf', 'x');
      expect(readdirSync(dir.path)).toEqual(['client.cnf']);
      expect(existsSync(file)).toBe(true);
      await dir.dispose();
      expect(existsSync(dir.path)).toBe(false);
    } finally {
      if (previous === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = previous;
    }
  });

  it.each([
    ['an uncaught exception', "setTimeout(() => { throw new Error('crash'); }, 10);", 1],
    ['process.exit', 'process.exit(3);', 3],
    ['a normal end with the dir never disposed', '', 0],
  ])('removes the dir on %s', async (_what, how, code) => {
    const { path, exitCode } = await childThatEnds(tmp, how);
    expect(exitCode).toBe(code);
    expect(path).toMatch(/\/msa-backup-\d+-\d+-[A-Za-z0-9]{6}$/);
    expect(existsSync(path)).toBe(false);
  });

  it('leaves the dir of a SIGKILLed process, which the sweep then removes', async () => {
    const { path, exitCode } = await childThatEnds(tmp, "process.kill(process.pid, 'SIGKILL');");
    expect(exitCode).toBeUndefined();
    expect(readFileSync(join(path, 'client.cnf'), 'utf8')).toContain('s3cret');
    expect(await removeStalePrivateDirs(tmp)).toEqual([path]);
    expect(existsSync(path)).toBe(false);
  });

  it('sweeps only stale dirs of ours: never a live creator\'s, another uid\'s, a symlink, or another name', async () => {
    const make = (name: string) => {
      const path = join(tmp, name);
      mkdirSync(path);
      writeFileSync(join(path, 'client.cnf'), 'password="s3cret"');
      return path;
    };
    const legacy = make('msa-backup-AbC123');
    const deadCreator = make('msa-backup-4194303-1-Zz9Zz9');
    const reusedPid = make(`msa-backup-${process.pid}-1-Yy8Yy8`);
    const liveCreator = make(`msa-backup-${process.pid}-${startOf(process.pid)}-Xx7Xx7`);
    const otherUid = make('msa-backup-Ww6Ww6');
    chownSync(otherUid, 12345, 12345);
    const notOurs = make('mysql-backup-Vv5Vv5');
    // Another program's dir with our prefix (the tests' `msa-cli-XXXXXX`): not a name the agent ever made.
    const sameLetters = make('msa-cli-Ss2Ss2');
    const target = make('target');
    symlinkSync(target, join(tmp, 'msa-backup-Uu4Uu4'));
    // A running tool that names a legacy dir in its argv is using it.
    const inUse = make('msa-backup-Tt3Tt3');
    // A process with the dir in its argv, as the backup tool has it; one process, so killing it ends it all.
    const tool = execa('node', ['-e', 'setTimeout(() => undefined, 30_000)', '--', `--target-dir=${inUse}`], { reject: false, stdio: 'ignore' });
    await new Promise((resolve) => tool.once('spawn', resolve));
    try {
      const removed = await removeStalePrivateDirs(tmp);
      expect(removed.sort()).toEqual([deadCreator, legacy, reusedPid].sort());
      for (const kept of [liveCreator, otherUid, notOurs, sameLetters, target, inUse]) expect(existsSync(kept)).toBe(true);
      expect(existsSync(join(tmp, 'msa-backup-Uu4Uu4'))).toBe(true);
    } finally {
      tool.kill('SIGKILL');
      await tool;
    }
  });
});
