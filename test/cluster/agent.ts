import { existsSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AGENT_MAIN } from '../support/agent.js';
import type { Cluster } from './cluster.js';
import type { ExecResult, Pod } from './pod.js';
import type { ManagedProcess } from './processes.js';
import { waitFor } from './wait.js';

/**
 * The agent's containers in a harness pod, the way the StatefulSet runs them:
 * the init container to completion, then the server, then the sidecar.
 */

export const HTTP_PORT = 8080;
export const CLONE_PORT = 3307;

/** A secret of the set as a mounted Secret file (0600), made once per cluster. */
function secretFile(cluster: Cluster, name: string): string {
  const file = join(cluster.secrets.dir, name);
  if (!existsSync(file)) writeFileSync(file, randomBytes(24).toString('base64url'), { mode: 0o600, flag: 'wx' });
  return file;
}

export function cloneSecretFile(cluster: Cluster): string {
  return secretFile(cluster, 'clone-secret');
}

/** The containers' environment: the downward API values, the Secret files, and what the harness must redirect. */
export function agentEnvironment(cluster: Cluster, pod: Pod, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...pod.agentEnv(),
    MYSQL_ROOT_PASSWORD_FILE: cluster.secrets.rootPasswordFile,
    CLONE_SECRET_FILE: cloneSecretFile(cluster),
    REPLICATION_PASSWORD_FILE: secretFile(cluster, 'replication-password'),
    AGENT_PASSWORD_FILE: secretFile(cluster, 'agent-password'),
    // The kubelet's /dev/termination-log does not exist here; keep the reason with the pod's logs.
    TERMINATION_LOG: join(pod.paths.logs, 'termination-log'),
    ...extra,
  };
}

/** `mysql-sts-agent <args>` inside the pod, to completion (never throws on a non-zero exit). */
export function runAgentIn(cluster: Cluster, pod: Pod, args: string[], extraEnv: Record<string, string> = {}): Promise<ExecResult> {
  return pod.exec('node', [AGENT_MAIN, ...args], { env: agentEnvironment(cluster, pod, extraEnv), reject: false, timeoutMs: 300_000 });
}

export function startSidecar(cluster: Cluster, pod: Pod, extraEnv: Record<string, string> = {}): ManagedProcess {
  return pod.spawn('node', [AGENT_MAIN, 'serve'], { env: agentEnvironment(cluster, pod, extraEnv), label: 'sidecar' });
}

/** Waits until the pod's sidecar answers /healthz. */
export async function waitForSidecar(pod: Pod): Promise<void> {
  await waitFor(async () => ((await pod.httpGet(HTTP_PORT, '/healthz')).status === 200 ? true : undefined), {
    what: `${pod.name}'s sidecar to answer /healthz`,
    timeoutMs: 15_000,
  });
}

/** Waits until the pod's sidecar says Ready (/readyz 200), as the StatefulSet's OrderedReady policy does before the next pod. */
export async function waitForReady(pod: Pod, timeoutMs = 60_000): Promise<void> {
  await waitFor(async () => ((await pod.httpGet(HTTP_PORT, '/readyz')).status === 200 ? true : undefined), {
    what: `${pod.name} to be Ready`,
    timeoutMs,
  });
}

/** Creates (if needed) and starts pod n: init must succeed, then mysqld and the sidecar start; returns once it is Ready. */
export async function startAgentPod(cluster: Cluster, n: number, extraEnv: Record<string, string> = {}): Promise<Pod> {
  const pod = cluster.listPods().find((candidate) => candidate.n === n) ?? (await cluster.addPod(n));
  const init = await runAgentIn(cluster, pod, ['init'], extraEnv);
  if (init.exitCode !== 0) {
    throw new Error(`init of ${pod.name} exited ${init.exitCode}: ${init.stderr.trim()}`);
  }
  await pod.startServer();
  startSidecar(cluster, pod, extraEnv);
  await waitForSidecar(pod);
  await waitForReady(pod);
  return pod;
}
