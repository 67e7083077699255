import { join } from 'node:path';
import type { ContainerRun } from './agent-containers.js';
import { setIdentity } from '../../src/clone/auth.js';
import type { Cluster } from './cluster.js';
import { commandLine, CONTAINERS, resolveEnv, resolveProbe, type ProbeKind, type ResolvedProbe } from './containers.js';
import { terminationLogOf } from './fs-group.js';
import { containerOf } from './manifest.js';
import type { ExecResult, Pod } from './pod.js';
import type { ManagedProcess } from './processes.js';
import { readSecretValue, rootPasswordKey, secretVolumeDir } from './secrets.js';
import { waitFor } from './wait.js';

/**
 * The StatefulSet's containers in a harness pod, run from the rendered
 * manifest the way the kubelet runs them: the init container to completion,
 * then the server, then the sidecar, each with the manifest's command, args and
 * environment (downward API and Secrets resolved), gated by the manifest's probes.
 */

export const HTTP_PORT = 8080;
export const CLONE_PORT = 3307;

export { CONTAINERS };

/** The Secret the pods mount: the one the server container takes its root password from. */
function credentialsSecret(cluster: Cluster): string {
  return rootPasswordKey(cluster.workload).secretName;
}

/** The Secret file the agent reads its clone secret from (a secret volume's file). */
export function cloneSecretFile(cluster: Cluster): string {
  return join(secretVolumeDir(cluster.dir, credentialsSecret(cluster)), 'clone-secret');
}

/** The set identity the cluster's agents sign with (src/clone/auth.ts setIdentity). */
export function setOf(cluster: Cluster): string {
  return setIdentity({ setName: cluster.workload.name, serviceName: cluster.workload.serviceName, namespace: cluster.names.opts.namespace });
}

/** A key of that Secret, as the pods see it (the harness's own value, never the manifest's example). */
export function credentialValue(cluster: Cluster, key: string): string {
  return readSecretValue(cluster.dir, credentialsSecret(cluster), key);
}

/** A container's environment in this pod, as the kubelet builds it, plus the harness's redirections and `extra`. */
export function containerEnvironment(cluster: Cluster, pod: Pod, container: string, extra: Record<string, string> = {}): Record<string, string> {
  const { opts } = cluster.names;
  const env = resolveEnv(containerOf(cluster.workload, container), { name: pod.name, namespace: opts.namespace, address: pod.address }, (secretName, key) =>
    readSecretValue(cluster.dir, secretName, key),
  );
  // A host process has no /dev/termination-log of its own: keep the reason with the pod's logs (a container gets that file mounted there).
  const terminationLog: Record<string, string> = pod.fromImage === undefined ? { TERMINATION_LOG: terminationLogOf(pod.paths) } : {};
  return { ...env, ...terminationLog, ...extra };
}

/** A container of the agent as the manifest declares it in this pod: command line and environment. */
function agentContainerRun(cluster: Cluster, pod: Pod, container: string, extraEnv: Record<string, string>): ContainerRun {
  const { file, args } = commandLine(containerOf(cluster.workload, container));
  return { container, file, args, env: containerEnvironment(cluster, pod, container, extraEnv) };
}

/** Starts one of the agent's containers: a podman container of the image, or a host process in the pod. */
function spawnAgentContainer(cluster: Cluster, pod: Pod, container: string, label: string, extraEnv: Record<string, string>): ManagedProcess {
  const run = agentContainerRun(cluster, pod, container, extraEnv);
  return pod.fromImage?.spawn(run, label) ?? pod.spawn(run.file, [...run.args], { env: { ...run.env }, label });
}

/** The sidecar's environment (the one `kubectl exec` into the agent container gets). */
export function agentEnvironment(cluster: Cluster, pod: Pod, extra: Record<string, string> = {}): Record<string, string> {
  return containerEnvironment(cluster, pod, CONTAINERS.sidecar, extra);
}

/**
 * `mysql-sts-agent <args>` in the sidecar container, as `kubectl exec` runs
 * it, to completion (never throws on a non-zero exit): in the running
 * container of the image when the agent runs from one, else in the pod with
 * the sidecar's environment.
 */
export function runAgentIn(cluster: Cluster, pod: Pod, args: string[], extraEnv: Record<string, string> = {}): Promise<ExecResult> {
  const timeoutMs = 300_000;
  return (
    pod.fromImage?.execIn(CONTAINERS.sidecar, ['mysql-sts-agent', ...args], extraEnv, timeoutMs) ??
    pod.exec('mysql-sts-agent', args, { env: agentEnvironment(cluster, pod, extraEnv), reject: false, timeoutMs })
  );
}

/** The init container, to completion. */
export function runInitContainer(cluster: Cluster, pod: Pod, extraEnv: Record<string, string> = {}): Promise<ExecResult> {
  const run = agentContainerRun(cluster, pod, CONTAINERS.init, extraEnv);
  const timeoutMs = 300_000;
  return pod.fromImage?.exec(run, timeoutMs) ?? pod.exec(run.file, [...run.args], { env: { ...run.env }, reject: false, timeoutMs });
}

/** The init container as a tracked process (for tests that act while it runs); logs to `<label>.log`. */
export function spawnInitContainer(cluster: Cluster, pod: Pod, label: string, extraEnv: Record<string, string> = {}): ManagedProcess {
  return spawnAgentContainer(cluster, pod, CONTAINERS.init, label, extraEnv);
}

export function startSidecar(cluster: Cluster, pod: Pod, extraEnv: Record<string, string> = {}): ManagedProcess {
  return spawnAgentContainer(cluster, pod, CONTAINERS.sidecar, 'sidecar', extraEnv);
}

function probeOf(pod: Pod, container: string, kind: ProbeKind): ResolvedProbe {
  const probe = resolveProbe(containerOf(pod.workload, container), kind);
  if (probe === undefined) throw new Error(`the manifest's ${container} container has no ${kind}`);
  return probe;
}

/** One run of a container's probe, as the kubelet would judge it: 2xx/3xx, or exit 0 of the command in that container. */
async function probeSucceeds(pod: Pod, container: string, probe: ResolvedProbe): Promise<boolean> {
  if (probe.kind === 'http') {
    const response = await pod.httpGet(probe.port, probe.path, { timeoutMs: probe.timeoutMs }).catch(() => undefined);
    return response !== undefined && response.status >= 200 && response.status < 400;
  }
  const [file = '', ...args] = probe.command;
  const result = await pod.exec(file, args, { reject: false, timeoutMs: probe.timeoutMs, container }).catch(() => undefined);
  return result?.exitCode === 0;
}

/** Waits until a container's probe succeeds. */
export async function waitForProbe(pod: Pod, container: string, kind: ProbeKind, timeoutMs: number): Promise<void> {
  const probe = probeOf(pod, container, kind);
  const what = probe.kind === 'http' ? `GET :${probe.port}${probe.path}` : probe.command.join(' ');
  await waitFor(async () => ((await probeSucceeds(pod, container, probe)) ? true : undefined), {
    what: `${pod.name}'s ${container} ${kind} (${what}) to succeed`,
    timeoutMs,
  });
}

/**
 * Waits until the sidecar's startup probe passes, as long as the kubelet would
 * (periodSeconds × failureThreshold, Kubernetes' defaults 10 and 3): on a
 * loaded machine a pod's node start can take longer than a fixed 15 s.
 */
export async function waitForSidecar(pod: Pod): Promise<void> {
  const probe = containerOf(pod.workload, CONTAINERS.sidecar).startupProbe;
  const budgetMs = (probe?.periodSeconds ?? 10) * (probe?.failureThreshold ?? 3) * 1000;
  await waitForProbe(pod, CONTAINERS.sidecar, 'startupProbe', budgetMs);
}

/** Waits until the sidecar's readiness probe passes, as the StatefulSet's OrderedReady policy does before the next pod. */
export async function waitForReady(pod: Pod, timeoutMs = 60_000): Promise<void> {
  await waitForProbe(pod, CONTAINERS.sidecar, 'readinessProbe', timeoutMs);
}

/**
 * After a successful init: the server and the sidecar start together, as the
 * kubelet starts a pod's containers (it waits for no probe between them), so
 * the sidecar meets a server that is still coming up, as in a cluster; then
 * both startup probes, then the sidecar until it is Ready.
 */
export async function startContainers(cluster: Cluster, pod: Pod, extraEnv: Record<string, string> = {}, timeoutMs = 60_000): Promise<ManagedProcess> {
  const server = pod.startServer({ timeoutMs });
  const sidecar = startSidecar(cluster, pod, extraEnv);
  await server;
  await waitForProbe(pod, CONTAINERS.server, 'startupProbe', timeoutMs);
  await waitForSidecar(pod);
  await waitForReady(pod, timeoutMs);
  return sidecar;
}

/** Creates (if needed) and starts pod n: init must succeed, then mysqld and the sidecar start; returns once it is Ready. */
export async function startAgentPod(cluster: Cluster, n: number, extraEnv: Record<string, string> = {}): Promise<Pod> {
  const pod = cluster.listPods().find((candidate) => candidate.n === n) ?? (await cluster.addPod(n));
  const init = await runInitContainer(cluster, pod, extraEnv);
  if (init.exitCode !== 0) {
    throw new Error(`init of ${pod.name} exited ${init.exitCode}: ${init.stderr.trim()}`);
  }
  await startContainers(cluster, pod, extraEnv);
  return pod;
}
