import { existsSync, rmSync } from 'node:fs';
import { removeClusterContainers } from './agent-containers.js';
import { deleteNamespace, listNamespaces, namespacePids, removeNetnsEtcWithPrefix } from './netns.js';
import { DEFAULT_ROOT } from './options.js';
import { isAlive, readStartTime, terminateAll } from './processes.js';
import { listClusterDirs, readState, writeState, type ClusterState } from './state.js';

/**
 * Tearing a cluster down from its state file alone, so it works from any
 * process: the test that made the cluster, a later test run, the CLI.
 */

export interface DownOptions {
  /** Keep the cluster dir (logs, data, state); defaults to the cluster's own `keep`. */
  keep?: boolean;
}

/** Processes in the namespaces, tracked or not (an agent's children), with their start times now. */
async function processesInNamespaces(namespaces: readonly string[]): Promise<{ pid: number; startTime: string }[]> {
  const pids = (await Promise.all(namespaces.map((ns) => namespacePids(ns)))).flat();
  return pids.flatMap((pid) => {
    const startTime = readStartTime(pid);
    return startTime === undefined ? [] : [{ pid, startTime }];
  });
}

/**
 * Kills every process of the cluster by PID (at once, or SIGTERM and SIGKILL
 * after the grace period when the dir is kept), deletes its namespaces and
 * /etc/netns dirs, removes the cluster dir unless kept. Returns the state it
 * acted on, or undefined if there was none.
 */
export async function downCluster(dir: string, opts: DownOptions = {}): Promise<ClusterState | undefined> {
  const state = readState(dir);
  if (state === undefined) return undefined;
  const prefix = `${state.id}-`;
  // Namespaces by prefix too: one may exist that a crash kept out of the state.
  const namespaces = [...new Set([...state.namespaces, ...(await listNamespaces()).filter((ns) => ns.startsWith(prefix))])];
  // The agent's containers first, by the names its pods gave them: podman stops them, and removes what killing their processes would leave.
  if (state.options.agentImage !== undefined) await removeClusterContainers(state.id, state.options.stopGraceSeconds);
  const victims = [...state.processes, ...(await processesInNamespaces(namespaces))];
  const keep = opts.keep ?? state.options.keep;
  // A clean shutdown only matters for data someone will look at: servers with
  // replicas take seconds to stop (MySQL 9.7's primary ~9 s) for a dir deleted next.
  await terminateAll(victims, keep ? state.options.stopGraceSeconds * 1000 : 0);
  for (const ns of namespaces) await deleteNamespace(ns);
  removeNetnsEtcWithPrefix(prefix);
  if (keep) {
    writeState({ ...state, owner: null, namespaces: [], pods: [], processes: [] });
  } else {
    rmSync(dir, { recursive: true, force: true });
  }
  return state;
}

/** A cluster whose owner process is gone (a crashed or killed test run). Detached clusters have no owner. */
export function isStale(state: ClusterState): boolean {
  return state.owner !== null && !isAlive(state.owner);
}

/**
 * Tears down every stale cluster under `root`; returns their ids. Called by
 * `Cluster.create`, so leftovers of a crashed run never pile up.
 */
export async function reapStaleClusters(root: string = DEFAULT_ROOT): Promise<string[]> {
  const reaped: string[] = [];
  if (!existsSync(root)) return reaped;
  for (const dir of listClusterDirs(root)) {
    let state: ClusterState | undefined;
    try {
      state = readState(dir);
    } catch {
      continue; // being written by its owner right now, or not ours to judge
    }
    if (state === undefined || !isStale(state)) continue;
    await downCluster(dir);
    reaped.push(state.id);
  }
  return reaped;
}
