import { mkdir } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-file.js';
import type { DataDirLayout } from './layout.js';

/** The completion marker, written atomically and last: how the data dir came to be ours, and when. */
export async function writeMarker(layout: DataDirLayout, how: 'clone' | 'adopt'): Promise<void> {
  await mkdir(layout.agentDir, { recursive: true });
  await writeFileAtomic(layout.marker, `${JSON.stringify({ how, at: new Date().toISOString() })}\n`);
}
