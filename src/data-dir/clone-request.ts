import { mkdir, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-file.js';
import type { DataDirLayout } from './layout.js';
import { readStateFile, type StateFileRead } from './state-file.js';
import { oneOf, record, text } from '../json-shape.js';

/**
 * Init's decision to clone with MySQL's CLONE plugin, which only a running
 * server can carry out (ARCHITECTURE.md, "The CLONE-plugin clone"): init writes
 * it next to an empty data dir, the server image initialises an empty server,
 * and the sidecar clones into it and removes the request after the marker.
 */
export interface CloneRequest {
  readonly method: 'clone-plugin';
  /** Why init decided to clone, for logs and /status. */
  readonly reason: string;
  readonly requestedAt: string;
}

export async function writeCloneRequest(layout: DataDirLayout, reason: string): Promise<CloneRequest> {
  const request: CloneRequest = { method: 'clone-plugin', reason, requestedAt: new Date().toISOString() };
  await mkdir(layout.stateDir, { recursive: true });
  await writeFileAtomic(layout.cloneRequest, `${JSON.stringify(request)}\n`);
  return request;
}

/** Only its presence decides anything (`clone-pending`); its content is for humans, so damage is reported and nothing more. */
export function readCloneRequest(layout: DataDirLayout): Promise<StateFileRead<CloneRequest>> {
  return readStateFile(layout.cloneRequest, (value) => {
    const request = record(value, 'the clone request');
    return { method: oneOf(request, 'method', ['clone-plugin'] as const), reason: text(request, 'reason'), requestedAt: text(request, 'requestedAt') };
  });
}

export async function removeCloneRequest(layout: DataDirLayout): Promise<void> {
  await rm(layout.cloneRequest, { force: true });
}
