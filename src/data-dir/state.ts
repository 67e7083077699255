import { readdir } from 'node:fs/promises';
import { DATA_DIR_AGENT_DIR, DATA_DIR_ID_FILE, type DataDirLayout } from './layout.js';
import { exists, judgeMarker, readMarker, type MarkerVerdict } from './marker.js';

/** What init finds in the data dir (ARCHITECTURE.md, "The init decision"). */
export type DataDirState =
  /** The completion marker is there and the data dir holds the server files it vouches for: a finished clone or an adopted data dir. */
  | 'initialized'
  /** The marker is there but the data dir holds no server data: the volume's data was lost or emptied by hand. */
  | 'lost'
  /** The marker is there and the data dir holds server files it does not vouch for. */
  | 'mismatch'
  /** A staging dir exists: an interrupted clone, possibly half moved into place. */
  | 'interrupted'
  /** A CLONE-plugin clone was requested and is not complete: the server here holds nothing of ours yet. */
  | 'clone-pending'
  /** Nothing at all (a lost or new volume). */
  | 'empty'
  /** Server files without our marker: a server's own first boot, or data from before the agent. */
  | 'unmarked-data';

export interface DataDirInspection {
  readonly state: DataDirState;
  /** The marker's verdict, when there is a marker. */
  readonly verdict: MarkerVerdict | undefined;
}

/** Entries a fresh volume may hold that are not data (an id file alone vouches for nothing). */
const NOT_DATA = new Set([DATA_DIR_AGENT_DIR, DATA_DIR_ID_FILE, 'lost+found']);

/** "mysql/ exists" is not proof of a complete data dir: the marker is, and only for the data dir it names (the tutorial and bitpoke start on half-extracted clones that way). */
export async function examineDataDir(layout: DataDirLayout): Promise<DataDirInspection> {
  const marker = await readMarker(layout);
  if (marker.kind !== 'absent') {
    const verdict = await judgeMarker(layout, marker);
    return { state: STATE_OF_VERDICT[verdict.kind], verdict };
  }
  return { state: await unmarkedState(layout), verdict: undefined };
}

export async function inspectDataDir(layout: DataDirLayout): Promise<DataDirState> {
  return (await examineDataDir(layout)).state;
}

const STATE_OF_VERDICT: Record<MarkerVerdict['kind'], DataDirState> = { vouches: 'initialized', unproven: 'initialized', 'no-data': 'lost', disagrees: 'mismatch' };

async function unmarkedState(layout: DataDirLayout): Promise<DataDirState> {
  if (await exists(layout.staging)) return 'interrupted';
  if (await exists(layout.cloneRequest)) return 'clone-pending';
  const entries = await readdir(layout.dataDir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  return entries.some((entry) => !NOT_DATA.has(entry)) ? 'unmarked-data' : 'empty';
}
