import { mkdir, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '../fs/atomic-file.js';
import type { Coordinates } from './coordinates.js';
import type { DataDirState } from './decide.js';

/**
 * The agent's own corner of the data dir. The marker is written last, after
 * every file of a clone is in place: "mysql/ exists" is not proof of a
 * complete data dir (the tutorial and bitpoke both start servers on
 * half-extracted clones that way).
 */
export const AGENT_DIR = '.mysql-sts-agent';

export interface DataDirLayout {
  readonly dataDir: string;
  readonly agentDir: string;
  readonly marker: string;
  readonly staging: string;
  readonly cloneInfo: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const agentDir = join(dataDir, AGENT_DIR);
  return {
    dataDir,
    agentDir,
    marker: join(agentDir, 'initialized'),
    staging: join(agentDir, 'staging'),
    cloneInfo: join(agentDir, 'clone.json'),
  };
}

/** Entries a fresh volume may hold that are not data. */
const NOT_DATA = new Set([AGENT_DIR, 'lost+found']);

export async function inspectDataDir(layout: DataDirLayout): Promise<DataDirState> {
  if (await exists(layout.marker)) return 'initialized';
  if (await exists(layout.staging)) return 'interrupted';
  const entries = await readdir(layout.dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.some((entry) => !NOT_DATA.has(entry)) ? 'unmarked-data' : 'empty';
}

/**
 * Removes everything an interrupted clone may have left: the staging dir and
 * whatever it had already moved into the data dir (without a marker none of it
 * is trusted). `lost+found` stays: it belongs to the filesystem.
 */
export async function wipeDataDir(layout: DataDirLayout): Promise<void> {
  for (const entry of await readdir(layout.dataDir)) {
    if (entry !== 'lost+found') await rm(join(layout.dataDir, entry), { recursive: true, force: true });
  }
  await fsyncDirectory(layout.dataDir);
}

/** A fresh, empty staging dir on the data volume, so moving files into place is a rename. */
export async function createStaging(layout: DataDirLayout): Promise<void> {
  await rm(layout.staging, { recursive: true, force: true });
  await mkdir(layout.staging, { recursive: true });
  await fsyncDirectory(layout.agentDir);
}

/**
 * Moves the prepared files into the data dir (renames on one filesystem),
 * then records how the clone went, then writes the marker, then drops the
 * empty staging dir. A crash before the marker leaves the staging dir, which
 * the next run takes as an interrupted clone and wipes.
 */
export async function commitClone(layout: DataDirLayout, info: CloneInfo): Promise<void> {
  for (const entry of await readdir(layout.staging)) {
    if (entry === AGENT_DIR) continue; // never take a donor's marker for ours
    await rename(join(layout.staging, entry), join(layout.dataDir, entry));
  }
  await fsyncDirectory(layout.dataDir);
  await writeFileAtomic(layout.cloneInfo, `${JSON.stringify(info, null, 2)}\n`);
  await writeMarker(layout, 'clone');
  await rm(layout.staging, { recursive: true, force: true });
}

export async function writeMarker(layout: DataDirLayout, how: 'clone' | 'adopt'): Promise<void> {
  await mkdir(layout.agentDir, { recursive: true });
  await writeFileAtomic(layout.marker, `${JSON.stringify({ how, at: new Date().toISOString() })}\n`);
}

/** What init records about a clone, for the sidecar (GTID start position) and for humans. */
export interface CloneInfo {
  readonly donor: string;
  readonly coordinates: Coordinates;
  readonly bytes: number;
  readonly seconds: number;
  readonly finishedAt: string;
}

export async function readCloneInfo(layout: DataDirLayout): Promise<CloneInfo | undefined> {
  const text = await readFile(layout.cloneInfo, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as CloneInfo);
}

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}
