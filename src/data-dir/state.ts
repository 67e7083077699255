import { readdir, stat } from 'node:fs/promises';
import { AGENT_DIR, type DataDirLayout } from './layout.js';

/** What init finds in the data dir (ARCHITECTURE.md, "The init decision"). */
export type DataDirState =
  /** The completion marker is there: a finished clone or an adopted data dir. */
  | 'initialized'
  /** A staging dir exists: an interrupted clone, possibly half moved into place. */
  | 'interrupted'
  /** A CLONE-plugin clone was requested and is not complete: the server here holds nothing of ours yet. */
  | 'clone-pending'
  /** Nothing at all (a lost or new volume). */
  | 'empty'
  /** Server files without our marker: a server's own first boot, or data from before the agent. */
  | 'unmarked-data';

/** Entries a fresh volume may hold that are not data. */
const NOT_DATA = new Set([AGENT_DIR, 'lost+found']);

/** "mysql/ exists" is not proof of a complete data dir: the marker is (the tutorial and bitpoke start on half-extracted clones that way). */
export async function inspectDataDir(layout: DataDirLayout): Promise<DataDirState> {
  if (await exists(layout.marker)) return 'initialized';
  if (await exists(layout.staging)) return 'interrupted';
  if (await exists(layout.cloneRequest)) return 'clone-pending';
  const entries = await readdir(layout.dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.some((entry) => !NOT_DATA.has(entry)) ? 'unmarked-data' : 'empty';
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
