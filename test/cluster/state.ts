import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ResolvedOptions } from './options.js';
import { readStartTime, type ProcessRecord } from './processes.js';

/**
 * Everything another process needs to tear a cluster down: which namespaces
 * and processes exist. Written before each namespace is created and after each
 * process starts, so a crash at any point leaves nothing unrecorded.
 */
export interface ClusterState {
  version: 1;
  id: string;
  name: string;
  dir: string;
  /** The process whose exit makes the cluster stale; null for detached clusters. */
  owner: { pid: number; startTime: string } | null;
  createdAt: string;
  options: ResolvedOptions;
  namespaces: string[];
  /** Pod ordinals that currently exist. */
  pods: number[];
  processes: ProcessRecord[];
}

export const STATE_FILE = 'state.json';

export function statePath(clusterDir: string): string {
  return join(clusterDir, STATE_FILE);
}

/** Atomic (temp file + rename), so a reader never sees half a file. */
export function writeState(state: ClusterState): void {
  const path = statePath(state.dir);
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}

/**
 * Records the cluster as its owner (this process) sees it. Also runs from
 * process exit events, where a throw would crash the test process: a dir
 * removed meanwhile by another process's teardown is expected.
 */
export function saveState(state: Omit<ClusterState, 'version' | 'owner'>): void {
  const ownerStart = readStartTime(process.pid);
  const owner = state.options.detached || ownerStart === undefined ? null : { pid: process.pid, startTime: ownerStart };
  try {
    writeState({ version: 1, ...state, owner });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
}

export function readState(clusterDir: string): ClusterState | undefined {
  const path = statePath(clusterDir);
  if (!existsSync(path)) return undefined;
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  if (!isClusterState(parsed)) throw new Error(`failed to read ${path}: not a cluster state file`);
  return parsed;
}

function isClusterState(value: unknown): value is ClusterState {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Partial<Record<keyof ClusterState, unknown>>;
  return (
    v.version === 1 &&
    typeof v.id === 'string' &&
    typeof v.dir === 'string' &&
    Array.isArray(v.namespaces) &&
    Array.isArray(v.processes) &&
    Array.isArray(v.pods)
  );
}

/** Cluster dirs under `root` (those holding a state file). */
export function listClusterDirs(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(statePath(join(root, entry.name))))
    .map((entry) => join(root, entry.name));
}
