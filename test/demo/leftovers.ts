import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { isAlive, readStartTime } from '../cluster/processes.js';
import { readState } from '../cluster/state.js';
import { downCluster } from '../cluster/teardown.js';

/**
 * The demo's cluster is detached (its processes in their own sessions, so the
 * terminal's Ctrl-C reaches only the demo, which then tears down in order).
 * The harness does not reap detached clusters, so the demo records its own
 * pid here and the next demo removes what a killed one left.
 */

const OWNER_FILE = 'demo-owner.json';

interface Owner {
  pid: number;
  startTime: string;
}

function readOwner(dir: string): Owner | undefined {
  try {
    return JSON.parse(readFileSync(join(dir, OWNER_FILE), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/** The demo process that owns the cluster at `dir`, if it still runs. */
export function runningDemo(dir: string): Owner | undefined {
  const owner = readOwner(dir);
  return owner !== undefined && isAlive(owner) ? owner : undefined;
}

/** Removes the cluster at `dir` if its demo is gone; throws if a demo still runs it. Returns what was removed. */
export async function removeLeftovers(dir: string): Promise<string | undefined> {
  const state = readState(dir);
  if (state === undefined) return undefined;
  const owner = runningDemo(dir);
  if (owner !== undefined) {
    throw new Error(`a demo is already running in ${dir} (pid ${owner.pid}); stop it, or use --name for a second one`);
  }
  await downCluster(dir, { keep: false });
  return `removed cluster ${state.id} left at ${dir} by a demo that did not end`;
}

export function claimCluster(dir: string): void {
  const startTime = readStartTime(process.pid);
  if (startTime === undefined) throw new Error('failed to read this process start time from /proc');
  writeFileSync(join(dir, OWNER_FILE), JSON.stringify({ pid: process.pid, startTime } satisfies Owner));
}

/** Network namespaces of the cluster `id` that still exist (`ip netns list`). */
export async function namespacesOf(id: string): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list']);
  return stdout
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((ns) => ns.startsWith(`${id}-`));
}
