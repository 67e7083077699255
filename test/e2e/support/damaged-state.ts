import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { parseLog, startPod, type LogEvent, type PodStart } from './pod-start.js';

/**
 * What operators leave behind on a stopped pod's volume (scenario 11): a data
 * dir emptied with a shell glob, and the agent's own files truncated or
 * overwritten.
 */

/** `rm -rf <data dir>/*` on the stopped pod: the glob skips hidden entries, and the agent's state dir is not in the data dir at all. */
export async function globWipe(cluster: Cluster, pod: Pod): Promise<void> {
  await cluster.deletePod(pod.n);
  for (const name of readdirSync(pod.paths.data)) if (!name.startsWith('.')) rmSync(join(pod.paths.data, name), { recursive: true, force: true });
}

/** Truncates the clone record and overwrites the marker with a torn write, on the stopped pod. */
export async function damageAgentFiles(cluster: Cluster, pod: Pod): Promise<void> {
  await cluster.deletePod(pod.n);
  const info = join(pod.paths.state, 'clone.json');
  writeFileSync(info, readFileSync(info, 'utf8').slice(0, 25));
  writeFileSync(join(pod.paths.state, 'initialized'), '{"how":"clo');
}

/** The pod started again as the StatefulSet would, with its sidecar's log read back. */
export async function restartFromVolume(cluster: Cluster, n: number, env: Record<string, string>): Promise<PodStart & { sidecarLog: () => LogEvent[] }> {
  const start = await startPod(cluster, n, env);
  return { ...start, sidecarLog: () => parseLog(readFileSync(join(start.pod.paths.logs, 'sidecar.log'), 'utf8')) };
}
