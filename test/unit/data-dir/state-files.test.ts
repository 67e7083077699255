import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { readCloneInfo } from '../../../src/data-dir/clone-info.js';
import { dataDirLayout, type DataDirLayout } from '../../../src/data-dir/layout.js';
import { readMarker } from '../../../src/data-dir/marker.js';
import { readSidecarState } from '../../../src/data-dir/state-files.js';

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function layout(): DataDirLayout {
  const root = mkdtempSync(join(tmpdir(), 'msa-state-files-'));
  dirs.push(root);
  mkdirSync(join(root, 'mysql'));
  mkdirSync(join(root, 'agent'));
  return dataDirLayout(join(root, 'mysql'), join(root, 'agent'));
}

const CLONE_INFO = {
  donor: 'mysql-1',
  coordinates: { gtid: '0-100-42', binlogFile: 'mysql-bin.000003', binlogPosition: 1234 },
  bytes: 1000,
  seconds: 2.5,
  finishedAt: '2026-11-29T00:00:00.000Z',
};

describe("the agent's own files are read against their shape", () => {
  it('reads a sound clone.json, and says absent when there is none', async () => {
    const files = layout();
    expect(await readCloneInfo(files)).toEqual({ kind: 'absent' });
    writeFileSync(files.cloneInfo, JSON.stringify(CLONE_INFO));
    expect(await readCloneInfo(files)).toEqual({ kind: 'ok', value: CLONE_INFO });
  });

  it.each([
    ['empty', '', /^not JSON \(empty\)$/],
    ['truncated', JSON.stringify(CLONE_INFO).slice(0, 40), /^not JSON \(/],
    ['{}', '{}', /^"coordinates" is not an object$/],
    ['a number where a count belongs', JSON.stringify({ ...CLONE_INFO, bytes: 'many' }), /^"bytes" is not a number ≥ 0$/],
    ['an array', '[]', /^the clone record is not an object$/],
    ['random bytes', '\u0000\u00ff\u0013garbage', /^not JSON \(/],
  ])('reports clone.json %s as damaged, with what is wrong', async (_name, content, problem) => {
    const files = layout();
    writeFileSync(files.cloneInfo, content);
    const read = await readCloneInfo(files);
    expect(read).toMatchObject({ kind: 'damaged', file: 'clone.json' });
    expect(read.kind === 'damaged' ? read.problem : '').toMatch(problem);
  });

  it('never throws on any content, and never passes on a value of the wrong shape', async () => {
    const files = layout();
    await fc.assert(
      fc.asyncProperty(fc.oneof(fc.string(), fc.json(), fc.uint8Array().map((bytes) => Buffer.from(bytes).toString('latin1'))), async (content) => {
        writeFileSync(files.marker, content);
        const read = await readMarker(files);
        expect(['ok', 'damaged']).toContain(read.kind);
        if (read.kind === 'ok') expect(['clone', 'adopt', 'recovered']).toContain(read.value.how);
      }),
      { numRuns: 200 },
    );
  });

  it('gives the sidecar the sound clone record and every damaged file with its fix, in one read', async () => {
    const files = layout();
    writeFileSync(files.cloneInfo, '{"donor":');
    writeFileSync(files.marker, '{}');
    writeFileSync(files.cloneRequest, JSON.stringify({ method: 'clone-plugin', reason: 'x', requestedAt: 'now' }));
    const state = await readSidecarState(files);
    expect(state.cloneInfo).toBeUndefined();
    expect(state.damaged.map((file) => [file.file, file.problem])).toEqual([
      ['clone.json', expect.stringMatching(/^not JSON/)],
      ['initialized', '"how" is not one of clone, adopt, recovered'],
    ]);
    expect(state.damaged[0]?.fix).toMatch(/replicates from the server's own GTID position without it/);
    writeFileSync(files.cloneInfo, JSON.stringify(CLONE_INFO));
    expect((await readSidecarState(files)).cloneInfo).toEqual(CLONE_INFO);
  });
});
