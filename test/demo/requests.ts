import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, renameSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Requests from `ctl.ts` (another terminal) to the running demo, which owns
 * the cluster objects: one JSON file each in the cluster dir, taken (read and
 * removed) by the demo on its next round.
 */

export interface DeleteRequest {
  kind: 'delete';
  pod: number;
  /** Empty the pod's volume too: a lost PersistentVolume. */
  wipe: boolean;
}

export function requestsDir(clusterDir: string): string {
  return join(clusterDir, 'demo-requests');
}

/** Written under a temporary name and renamed, so the demo never reads half a request. */
export function writeRequest(clusterDir: string, request: DeleteRequest): string {
  const dir = requestsDir(clusterDir);
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${Date.now()}-${process.pid}.json`);
  writeFileSync(`${file}.tmp`, JSON.stringify(request));
  renameSync(`${file}.tmp`, file);
  return file;
}

function isDeleteRequest(value: unknown): value is DeleteRequest {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof DeleteRequest, unknown>>;
  return v.kind === 'delete' && typeof v.pod === 'number' && typeof v.wipe === 'boolean';
}

/** The pending requests, oldest first; each is removed once read. Unreadable files are dropped. */
export function takeRequests(clusterDir: string): DeleteRequest[] {
  const dir = requestsDir(clusterDir);
  let names: string[];
  try {
    names = readdirSync(dir).filter((name) => name.endsWith('.json')).sort();
  } catch {
    return [];
  }
  const requests: DeleteRequest[] = [];
  for (const name of names) {
    const file = join(dir, name);
    try {
      const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
      if (isDeleteRequest(parsed)) requests.push(parsed);
    } catch {
      // not JSON: dropped below
    }
    rmSync(file, { force: true });
  }
  return requests;
}

/** `mysql-2` → 2 for the set `mysql`; undefined for another set's or a malformed name. */
export function ordinalOf(podName: string, statefulSet: string): number | undefined {
  const match = new RegExp(`^${statefulSet}-(\\d+)$`).exec(podName);
  return match?.[1] === undefined ? undefined : Number(match[1]);
}
