import { writeFileAtomic } from '../fs/atomic-file.js';
import type { Coordinates } from './coordinates.js';
import type { DataDirLayout } from './layout.js';
import { readStateFile, type StateFileRead } from './state-file.js';
import { count, optionalText, record, text } from '../json-shape.js';

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

/** `clone.json`, checked: the sidecar replicates without it (from the server's own GTID position), so damage is reported, not fatal. */
export function readCloneInfo(layout: DataDirLayout): Promise<StateFileRead<CloneInfo>> {
  return readStateFile(layout.cloneInfo, cloneInfoShape);
}

export function cloneInfoShape(value: unknown): CloneInfo {
  const info = record(value, 'the clone record');
  const coordinates = record(info['coordinates'], '"coordinates"');
  return {
    donor: text(info, 'donor'),
    coordinates: { gtid: optionalText(coordinates, 'gtid'), binlogFile: text(coordinates, 'binlogFile', { empty: true }), binlogPosition: count(coordinates, 'binlogPosition') },
    bytes: count(info, 'bytes'),
    seconds: count(info, 'seconds'),
    finishedAt: text(info, 'finishedAt'),
  };
}
