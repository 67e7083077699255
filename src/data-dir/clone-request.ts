import { mkdir, readFile, rm } from 'node:fs/promises';
import { writeFileAtomic } from '../fs/atomic-file.js';
import type { DataDirLayout } from './layout.js';

/**
 * Init's decision to clone with MySQL's CLONE plugin, which only a running
 * server can carry out (ARCHITECTURE.md, "The CLONE-plugin clone"): init writes
 * it into an empty data dir, the server image initialises an empty server, and
 * the sidecar clones into it and removes the request after the marker.
 */
export interface CloneRequest {
  readonly method: 'clone-plugin';
  /** Why init decided to clone, for logs and /status. */
  readonly reason: string;
  readonly requestedAt: string;
}

export async function writeCloneRequest(layout: DataDirLayout, reason: string): Promise<CloneRequest> {
  const request: CloneRequest = { method: 'clone-plugin', reason, requestedAt: new Date().toISOString() };
  await mkdir(layout.agentDir, { recursive: true });
  await writeFileAtomic(layout.cloneRequest, `${JSON.stringify(request)}\n`);
  return request;
}

export async function readCloneRequest(layout: DataDirLayout): Promise<CloneRequest | undefined> {
  const text = await readFile(layout.cloneRequest, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  return text === undefined ? undefined : (JSON.parse(text) as CloneRequest);
}

export async function removeCloneRequest(layout: DataDirLayout): Promise<void> {
  await rm(layout.cloneRequest, { force: true });
}
