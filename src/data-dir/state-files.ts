import { readCloneInfo, type CloneInfo } from './clone-info.js';
import { readCloneRequest } from './clone-request.js';
import type { DataDirLayout } from './layout.js';
import { readMarker } from './marker.js';
import { valueOf, type DamagedFile, type StateFileRead } from './state-file.js';

/** The agent's files the sidecar reads, by name: the `state_file_damaged` metric has a series for each. */
export const STATE_FILES = ['initialized', 'clone.json', 'clone-request.json'] as const;

/**
 * What the sidecar reads of the agent's state when it starts, checked
 * (ARCHITECTURE.md, "Damaged state files"): the clone record, if it is sound,
 * and every file found damaged, with what the agent does and what to do. None
 * of them is needed to replicate, so damage is reported and the sidecar goes on.
 */
export async function readSidecarState(layout: DataDirLayout): Promise<{ cloneInfo: CloneInfo | undefined; damaged: DamagedFile[] }> {
  const cloneInfo = await readCloneInfo(layout);
  const damaged = [
    damage(cloneInfo, `the sidecar replicates from the server's own GTID position without it; delete ${layout.cloneInfo} (a record for humans) or re-clone the pod for a new one`),
    damage(await readCloneRequest(layout), `a clone is still pending; delete ${layout.cloneRequest} and restart the pod for init to decide again`),
    damage(await readMarker(layout), `restart the pod: init checks the data dir against its id file and writes a sound marker, or says what to do`),
  ].filter((entry) => entry !== undefined);
  return { cloneInfo: valueOf(cloneInfo), damaged };
}

function damage<T>(read: StateFileRead<T>, fix: string): DamagedFile | undefined {
  return read.kind === 'damaged' ? { file: read.file, problem: read.problem, fix } : undefined;
}
