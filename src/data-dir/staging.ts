import { mkdir, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fsyncDirectory } from '../fs/atomic-file.js';
import { writeCloneInfo, type CloneInfo } from './clone-info.js';
import { DATA_DIR_AGENT_DIR, type DataDirLayout } from './layout.js';
import { writeMarker } from './marker.js';

/**
 * A clone lands in a staging dir on the data volume and is committed by
 * renames, marker last (ARCHITECTURE.md, "The data directory"), so a crash at
 * any point leaves either a complete, marked data dir or leftovers the next
 * init wipes.
 */

/**
 * Removes everything an interrupted clone may have left: the staging dir,
 * whatever it had already moved into the data dir (without a marker none of it
 * is trusted), and the clone's records in the state dir. `lost+found` stays:
 * it belongs to the filesystem. The marker and the `lost` record stay: wiping
 * happens only where there is no marker to vouch for anything, or where one
 * vouches for data that is gone, which is exactly what `lost` remembers.
 */
export async function wipeDataDir(layout: DataDirLayout): Promise<void> {
  for (const entry of await readdir(layout.dataDir)) {
    if (entry !== 'lost+found') await rm(join(layout.dataDir, entry), { recursive: true, force: true });
  }
  await fsyncDirectory(layout.dataDir);
  await rm(layout.cloneRequest, { force: true });
  await rm(layout.cloneInfo, { force: true });
}

/** A fresh, empty staging dir on the data dir's own mount, so moving files into place is a rename. */
export async function createStaging(layout: DataDirLayout): Promise<void> {
  await rm(layout.staging, { recursive: true, force: true });
  await mkdir(layout.staging, { recursive: true });
  await mkdir(layout.stateDir, { recursive: true });
  await fsyncDirectory(layout.dataDirAgentDir);
}

/**
 * Moves the prepared files into the data dir (renames on one filesystem),
 * then records how the clone went, then writes the marker (with the data
 * dir's id), then drops the staging dir, which is the only entry of the
 * agent's left in the data dir. A crash before the marker leaves the staging
 * dir, which the next run takes as an interrupted clone and wipes.
 */
export async function commitClone(layout: DataDirLayout, info: CloneInfo): Promise<void> {
  for (const entry of await readdir(layout.staging)) {
    if (entry === DATA_DIR_AGENT_DIR) continue; // never take a donor's state for ours
    await rename(join(layout.staging, entry), join(layout.dataDir, entry));
  }
  await fsyncDirectory(layout.dataDir);
  await writeCloneInfo(layout, info);
  await writeMarker(layout, 'clone');
  await rm(layout.dataDirAgentDir, { recursive: true, force: true });
  await fsyncDirectory(layout.dataDir);
}
