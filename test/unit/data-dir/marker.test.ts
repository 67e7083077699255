import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { dataDirLayout, type DataDirLayout } from '../../../src/data-dir/layout.js';
import { readMarker, writeMarker } from '../../../src/data-dir/marker.js';
import { migrateLegacyState } from '../../../src/data-dir/migrate.js';
import { commitClone, createStaging } from '../../../src/data-dir/staging.js';
import { examineDataDir } from '../../../src/data-dir/state.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function layout(): DataDirLayout {
  const root = mkdtempSync(join(tmpdir(), 'msa-marker-'));
  dirs.push(root);
  mkdirSync(join(root, 'mysql'));
  return dataDirLayout(join(root, 'mysql'), join(root, 'agent'));
}

/** What a server leaves in its data dir: the system tablespace and schema. */
function serverFiles(files: DataDirLayout): void {
  writeFileSync(join(files.dataDir, 'ibdata1'), 'x');
  mkdirSync(join(files.dataDir, 'mysql'), { recursive: true });
  mkdirSync(join(files.dataDir, 'app'), { recursive: true });
}

/** `rm -rf <data dir>/*`: the shell's glob skips hidden entries. */
function globWipe(files: DataDirLayout): void {
  for (const name of readdirSync(files.dataDir)) if (!name.startsWith('.')) rmSync(join(files.dataDir, name), { recursive: true });
}

const CLONE_INFO = { donor: 'mysql-1', coordinates: { gtid: '0-100-7', binlogFile: 'b.1', binlogPosition: 4 }, bytes: 1, seconds: 1, finishedAt: 'now' };

describe('the marker vouches for the data dir it was written for', () => {
  it('vouches for the data dir it names by id, kept outside the data dir', async () => {
    const files = layout();
    serverFiles(files);
    await writeMarker(files, 'adopt');
    const marker = await readMarker(files);
    expect(marker.kind === 'ok' ? marker.value.dataDirId : undefined).toBe(readFileSync(files.dataDirId, 'utf8').trim());
    expect(await examineDataDir(files)).toMatchObject({ state: 'initialized', verdict: { kind: 'vouches' } });
    expect(readdirSync(files.dataDir).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('takes a glob-wiped data dir for a lost one, even after the image initialised an empty server in it', async () => {
    const files = layout();
    serverFiles(files);
    await writeMarker(files, 'clone');
    globWipe(files);
    expect(await examineDataDir(files)).toMatchObject({ state: 'lost', verdict: { kind: 'no-data' } });
    serverFiles(files); // the server image's first boot: a fresh server, without our id
    const judged = await examineDataDir(files);
    expect(judged).toMatchObject({ state: 'mismatch', verdict: { kind: 'disagrees' } });
    expect(judged.verdict?.reason).toMatch(/has no id file: these are not the files the marker was written for$/);
  });

  it('refuses another data dir id, and a damaged marker without an id file; recovers a damaged one beside its id file', async () => {
    const files = layout();
    serverFiles(files);
    await writeMarker(files, 'clone');
    writeFileSync(files.dataDirId, 'someone-else\n');
    expect((await examineDataDir(files)).state).toBe('mismatch');
    writeFileSync(files.marker, '{"how":');
    expect(await examineDataDir(files)).toMatchObject({ state: 'initialized', verdict: { kind: 'unproven', how: 'recovered', dataDirId: 'someone-else' } });
    rmSync(files.dataDirId);
    expect(await examineDataDir(files)).toMatchObject({ state: 'mismatch', verdict: { kind: 'disagrees' } });
    globWipe(files);
    expect((await examineDataDir(files)).state).toBe('lost');
  });

  it('takes a marker from before ids as unproven over server files, and as lost over none', async () => {
    const files = layout();
    mkdirSync(files.stateDir);
    writeFileSync(files.marker, '{"how":"clone","at":"2026-01-01T00:00:00.000Z"}\n');
    expect((await examineDataDir(files)).state).toBe('lost');
    serverFiles(files);
    expect(await examineDataDir(files)).toMatchObject({ state: 'initialized', verdict: { kind: 'unproven', how: 'clone', dataDirId: undefined } });
  });

  it('an id file alone is not data: no marker and nothing else is an empty data dir', async () => {
    const files = layout();
    writeFileSync(files.dataDirId, 'x\n');
    expect((await examineDataDir(files)).state).toBe('empty');
  });

  it('a clone commits its files, the record, the id and the marker, and leaves nothing of the agent in the data dir', async () => {
    const files = layout();
    await createStaging(files);
    writeFileSync(join(files.staging, 'ibdata1'), 'x');
    mkdirSync(join(files.staging, 'mysql'));
    expect((await examineDataDir(files)).state).toBe('interrupted');
    await commitClone(files, CLONE_INFO);
    expect(readdirSync(files.dataDir).sort()).toEqual(['ibdata1', 'mysql', 'mysql-sts-agent.id']);
    expect(readdirSync(files.stateDir).sort()).toEqual(['clone.json', 'initialized']);
    expect((await examineDataDir(files)).state).toBe('initialized');
  });
});

describe('migrating the state dir out of the data dir', () => {
  function legacy(files: DataDirLayout, names: Record<string, string>): void {
    mkdirSync(files.dataDirAgentDir, { recursive: true });
    for (const [name, content] of Object.entries(names)) writeFileSync(join(files.dataDirAgentDir, name), content);
  }

  it('moves the marker and clone record, then removes the old dir; running again changes nothing', async () => {
    const files = layout();
    serverFiles(files);
    legacy(files, { initialized: '{"how":"clone","at":"t"}\n', 'clone.json': JSON.stringify(CLONE_INFO) });
    expect(await migrateLegacyState(files)).toMatch(/^moved the marker and clone record/);
    expect(existsSync(files.dataDirAgentDir)).toBe(false);
    expect(readFileSync(files.marker, 'utf8')).toBe('{"how":"clone","at":"t"}\n');
    expect(JSON.parse(readFileSync(files.cloneInfo, 'utf8'))).toEqual(CLONE_INFO);
    expect(await migrateLegacyState(files)).toBeUndefined();
    expect((await examineDataDir(files)).state).toBe('initialized');
  });

  it('a migration cut short at any step leaves a state the next run completes', async () => {
    const files = layout();
    serverFiles(files);
    // Cut after the copies, before the old dir went: the old marker is still there, so it runs again.
    legacy(files, { initialized: '{"how":"adopt","at":"t"}\n', staging: '' });
    mkdirSync(files.stateDir);
    writeFileSync(files.marker, '{"how":"adopt","at":"t"}\n');
    expect(await migrateLegacyState(files)).toMatch(/^moved/);
    // Cut while removing the old dir (its marker already gone): the new marker says it is leftovers.
    legacy(files, { 'clone-request.json': '{}' });
    expect(await migrateLegacyState(files)).toMatch(/^removed .*left over beside a marker$/);
    expect(existsSync(files.dataDirAgentDir)).toBe(false);
    expect(existsSync(files.cloneRequest)).toBe(false);
  });

  it('keeps an interrupted clone interrupted, moves a pending CLONE-plugin request, and never trusts a clone record without a marker', async () => {
    const files = layout();
    legacy(files, { 'clone-request.json': '{"method":"clone-plugin"}', 'clone.json': '{}' });
    mkdirSync(files.staging);
    expect(await migrateLegacyState(files)).toBeUndefined();
    expect(readFileSync(files.cloneRequest, 'utf8')).toBe('{"method":"clone-plugin"}');
    expect(existsSync(files.cloneInfo)).toBe(false);
    expect((await examineDataDir(files)).state).toBe('interrupted');
    rmSync(files.staging, { recursive: true });
    expect(await migrateLegacyState(files)).toMatch(/no marker in it/);
    expect((await examineDataDir(files)).state).toBe('clone-pending');
  });

  it('a legacy marker over a glob-wiped data dir (the hidden dir survived the glob) is a lost volume', async () => {
    const files = layout();
    legacy(files, { initialized: '{"how":"clone","at":"t"}\n' });
    await migrateLegacyState(files);
    expect((await examineDataDir(files)).state).toBe('lost');
  });
});
