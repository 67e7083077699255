import { readFile } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-file.js';
import type { Coordinates } from './coordinates.js';
import type { DataDirLayout } from './layout.js';

/** What init records about a clone, for the sidecar (GTID start position) and for humans. */
export interface CloneInfo {
  readonly donor: string;
  readonly coordinates: Coordinates;
  readonly bytes: number;
  readonly seconds: number;
  readonly finishedAt: string;
}

export async function writeCloneInfo(layout: DataDirLayout, info: CloneInfo): Promise<void> {
  await writeFileAtomic(layout.cloneInfo, `${JSON.stringify(info, null, 2)}\n`);
}

export async function readCloneInfo(layout: DataDirLayout): Promise<CloneInfo | undefined> {
  const text = await readFile(layout.cloneInfo, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as CloneInfo);
}
