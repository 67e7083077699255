import { randomUUID } from 'node:crypto';
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-file.js';
import type { DataDirLayout } from './layout.js';
import { readStateFile, type StateFileRead } from './state-file.js';
import { oneOf, optionalText, record, text } from '../json-shape.js';

/**
 * The completion marker (ARCHITECTURE.md, "The marker vouches for the data"):
 * written atomically and last, it says the data dir is complete and ours. It
 * lives in the state dir, outside the data dir, so it outlives a data dir
 * emptied by hand; it therefore names the data dir it vouches for by a random
 * id that is also written into the data dir as a plain file. A data dir wiped
 * by `rm -rf <data dir>/*` loses the id with the data, and a server the image
 * initialised there afresh has none.
 */
export interface Marker {
  readonly how: 'clone' | 'adopt' | 'recovered';
  readonly at: string;
  /** Absent in markers written before the id existed (they are given one at the next init). */
  readonly dataDirId: string | undefined;
}

/** The id file first, then the marker, then the `lost` record goes: every crash leaves a state the next init sorts out. */
export async function writeMarker(layout: DataDirLayout, how: Marker['how'], dataDirId: string = randomUUID()): Promise<void> {
  await writeFileAtomic(layout.dataDirId, `${dataDirId}\n`);
  await mkdir(layout.stateDir, { recursive: true });
  const marker: Marker = { how, at: new Date().toISOString(), dataDirId };
  await writeFileAtomic(layout.marker, `${JSON.stringify(marker)}\n`);
  await rm(layout.lost, { force: true });
}

export function readMarker(layout: DataDirLayout): Promise<StateFileRead<Marker>> {
  return readStateFile(layout.marker, (value) => {
    const marker = record(value, 'the marker');
    return { how: oneOf(marker, 'how', ['clone', 'adopt', 'recovered'] as const), at: text(marker, 'at'), dataDirId: optionalText(marker, 'dataDirId') };
  });
}

/** What a present marker says about the data dir beside it. */
export type MarkerVerdict =
  /** The data dir holds server files and the id the marker names. */
  | { readonly kind: 'vouches'; readonly reason: string }
  /** Server files and nothing that contradicts the marker, but nothing that proves it either (an older marker without an id, or a damaged marker beside an id file): init writes a marker that does. */
  | { readonly kind: 'unproven'; readonly how: Marker['how']; readonly dataDirId: string | undefined; readonly reason: string }
  /** No server files: the data dir was lost or emptied behind the marker's back. */
  | { readonly kind: 'no-data'; readonly reason: string }
  /** Server files the marker does not vouch for. */
  | { readonly kind: 'disagrees'; readonly reason: string };

export async function judgeMarker(layout: DataDirLayout, marker: StateFileRead<Marker>): Promise<MarkerVerdict> {
  const id = await readDataDirId(layout);
  if (!(await holdsServerData(layout))) return { kind: 'no-data', reason: `the marker is there but ${layout.dataDir} holds no server data (no ibdata1, no mysql/)` };
  if (marker.kind === 'damaged') {
    return id === undefined
      ? { kind: 'disagrees', reason: `the marker is damaged (${marker.problem}) and ${layout.dataDir} has no id file to prove the data is ours` }
      : { kind: 'unproven', how: 'recovered', dataDirId: id, reason: `the marker is damaged (${marker.problem}); the data dir's id file proves the data is ours` };
  }
  if (marker.kind !== 'ok') throw new Error('judgeMarker needs a marker');
  const recorded = marker.value.dataDirId;
  if (recorded === undefined) return { kind: 'unproven', how: marker.value.how, dataDirId: id, reason: 'the marker predates data dir ids' };
  if (id === recorded) return { kind: 'vouches', reason: 'the data dir holds the id the marker names' };
  const found = id === undefined ? 'has no id file' : `has the id ${id}`;
  return { kind: 'disagrees', reason: `the marker vouches for the data dir with the id ${recorded}, but ${layout.dataDir} ${found}: these are not the files the marker was written for` };
}

async function readDataDirId(layout: DataDirLayout): Promise<string | undefined> {
  const content = await readFile(layout.dataDirId, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  const id = content?.trim();
  return id === '' ? undefined : id;
}

/** The system tablespace or the system schema: what every initialised server (MySQL and MariaDB) has. */
async function holdsServerData(layout: DataDirLayout): Promise<boolean> {
  for (const name of ['ibdata1', 'mysql']) {
    if (await exists(`${layout.dataDir}/${name}`)) return true;
  }
  return false;
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
