import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { runInitContainer, spawnInitContainer, startContainers } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import { isAlive, type ManagedProcess, type ProcessRecord } from '../../cluster/index.js';
import type { Pod } from '../../cluster/pod.js';
import { waitFor } from '../../cluster/wait.js';

/**
 * What the e2e scenarios do to a pod's containers the way the kubelet does,
 * and what they read from its volume.
 */

export function sidecarOf(pod: Pod): ProcessRecord {
  const sidecar = pod.processes().find((record) => record.label === 'sidecar');
  if (sidecar === undefined) throw new Error(`${pod.name} has no sidecar`);
  return sidecar;
}

/** SIGTERM to the sidecar (the kubelet stopping the container) and wait until it has exited. */
export async function stopSidecar(pod: Pod, timeoutMs = 20_000): Promise<void> {
  const sidecar = sidecarOf(pod);
  process.kill(sidecar.pid, 'SIGTERM');
  await waitFor(async () => (isAlive(sidecar) ? undefined : true), { what: `${pod.name}'s sidecar to exit after SIGTERM`, timeoutMs });
}

/**
 * The init container, started in the background with its output in the pod's
 * log dir under `label`, so a test can watch it while it runs.
 */
export function spawnInit(cluster: Cluster, pod: Pod, label: string, extraEnv: Record<string, string> = {}): { process: ManagedProcess; log: () => string } {
  const process = spawnInitContainer(cluster, pod, label, extraEnv);
  const file = join(pod.paths.logs, `${label}.log`);
  return { process, log: () => (existsSync(file) ? readFileSync(file, 'utf8') : '') };
}

/** The agent's files in its state dir (marker `initialized`, `clone.json`) with their mtimes: equal snapshots mean init touched nothing. */
export function agentFilesOf(pod: Pod): Record<string, { text: string; mtimeMs: number }> {
  const dir = pod.paths.state;
  const files: Record<string, { text: string; mtimeMs: number }> = {};
  if (!existsSync(dir)) return files;
  for (const name of readdirSync(dir).sort()) {
    const path = join(dir, name);
    if (statSync(path).isFile()) files[name] = { text: readFileSync(path, 'utf8'), mtimeMs: statSync(path).mtimeMs };
  }
  return files;
}

/**
 * The pod's containers again, in the StatefulSet's order: init to completion,
 * then the server, then the sidecar; resolves when the pod is Ready, with
 * init's output and the time from init's start to Ready.
 */
export async function restartPod(cluster: Cluster, pod: Pod, readyTimeoutMs = 120_000): Promise<{ initOutput: string; timeToReadyMs: number }> {
  const started = Date.now();
  const init = await runInitContainer(cluster, pod);
  if (init.exitCode !== 0) throw new Error(`init of ${pod.name} exited ${init.exitCode}: ${init.stderr.trim()}`);
  await startContainers(cluster, pod, {}, readyTimeoutMs);
  return { initOutput: init.stdout, timeToReadyMs: Date.now() - started };
}
