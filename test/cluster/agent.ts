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

/** The containers' environment: the pod's downward API values plus what the harness must redirect. */
export function agentEnvironment(pod: Pod, extra: Record<string, string> = {}): Record<string, string> {
  return {
    ...pod.agentEnv(),
    // The kubelet's /dev/termination-log does not exist here; keep the reason with the pod's logs.
    TERMINATION_LOG: join(pod.paths.logs, 'termination-log'),
    ...extra,
  };
}

/** `mysql-sts-agent <args>` inside the pod, to completion (never throws on a non-zero exit). */
export function runAgentIn(pod: Pod, args: string[], extraEnv: Record<string, string> = {}): Promise<ExecResult> {
  return pod.exec('node', [AGENT_MAIN, ...args], { env: agentEnvironment(pod, extraEnv), reject: false });
}

export function startSidecar(pod: Pod, extraEnv: Record<string, string> = {}): ManagedProcess {
  return pod.spawn('node', [AGENT_MAIN, 'serve'], { env: agentEnvironment(pod, extraEnv), label: 'sidecar' });
}

/** Creates (if needed) and starts pod n: init must succeed, then mysqld and the sidecar start. */
export async function startAgentPod(cluster: Cluster, n: number, extraEnv: Record<string, string> = {}): Promise<Pod> {
  const pod = cluster.listPods().find((candidate) => candidate.n === n) ?? (await cluster.addPod(n));
  const init = await runAgentIn(pod, ['init'], extraEnv);
  if (init.exitCode !== 0) {
    throw new Error(`init of ${pod.name} exited ${init.exitCode}: ${init.stderr.trim()}`);
  }
  await pod.startServer();
  startSidecar(pod, extraEnv);
  await waitFor(async () => ((await pod.httpGet(HTTP_PORT, '/healthz')).status === 200 ? true : undefined), {
    what: `${pod.name}'s sidecar to answer /healthz`,
    timeoutMs: 15_000,
  });
  return pod;
}
