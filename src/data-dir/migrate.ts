import { mkdir, readFile, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fsyncDirectory, writeFileAtomic } from '../fs/atomic-file.js';
import type { DataDirLayout } from './layout.js';
import { exists } from './marker.js';

/**
 * Earlier agents kept their state in `<data dir>/.mysql-sts-agent/`, which
 * MariaDB lists as a database. Init moves it to the state dir before it looks
 * at anything (ARCHITECTURE.md, "The data directory"). Each step is a copy by
 * atomic write or a removal, and the old dir goes only after the new marker
 * is durable, so a crash at any point leaves a state this function (run again)
 * or the init decision handles:
 * - old marker: copy `clone.json`, then the marker, then remove the old dir;
 * - no old marker but a new one: the old dir is what a cut-short migration or
 *   a finished clone's staging left; remove it;
 * - neither: a CLONE-plugin request moves over; a `clone.json` without a marker
 *   is not trusted; a staging dir stays where it is (that is where staging
 *   lives now), and the init decision wipes it as an interrupted clone.
 * Returns what it did, for the log, or undefined when there was nothing to do.
 */
export async function migrateLegacyState(layout: DataDirLayout): Promise<string | undefined> {
  const old = (name: string) => join(layout.dataDirAgentDir, name);
  if (!(await exists(layout.dataDirAgentDir))) return undefined;
  if (await exists(old('initialized'))) {
    await copyIfPresent(old('clone.json'), layout.cloneInfo);
    await copyIfPresent(old('initialized'), layout.marker);
    await removeOldDir(layout);
    return `moved the marker and clone record from ${layout.dataDirAgentDir} to ${layout.stateDir}`;
  }
  if (await exists(layout.marker)) {
    await removeOldDir(layout);
    return `removed ${layout.dataDirAgentDir}, left over beside a marker`;
  }
  if (await copyIfPresent(old('clone-request.json'), layout.cloneRequest)) await rm(old('clone-request.json'));
  await rm(old('clone.json'), { force: true });
  if (await exists(layout.staging)) return undefined;
  await removeOldDir(layout);
  return `removed ${layout.dataDirAgentDir} (no marker in it)`;
}

async function copyIfPresent(from: string, to: string): Promise<boolean> {
  const content = await readFile(from, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (content === undefined) return false;
  await mkdir(dirname(to), { recursive: true });
  await writeFileAtomic(to, content);
  return true;
}

async function removeOldDir(layout: DataDirLayout): Promise<void> {
  await rm(layout.dataDirAgentDir, { recursive: true, force: true });
  await fsyncDirectory(layout.dataDir);
}
