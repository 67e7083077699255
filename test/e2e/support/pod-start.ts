import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINERS, runInitContainer, startContainers, startSidecar, waitForProbe, waitForReady, waitForSidecar } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { ExecResult, Pod } from '../../cluster/pod.js';

/**
 * A pod started the way the StatefulSet starts it (init to completion, then
 * the server, then the sidecar, Ready), keeping what startAgentPod throws
 * away: init's own log, which says what it decided, and the time to Ready.
 */

/** One line of the agent's pino log. */
export interface LogEvent {
  readonly msg: string;
  readonly [field: string]: unknown;
}

export interface PodStart {
  readonly pod: Pod;
  readonly init: ExecResult;
  readonly initLog: readonly LogEvent[];
  /** From pod creation (or restart on a kept pod) to /readyz 200. */
  readonly timeToReadyMs: number;
}

/** Generous: other test runs share the machine's two cores. */
const READY_TIMEOUT_MS = 120_000;

export function parseLog(text: string): LogEvent[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as LogEvent);
}

/**
 * A reader of the events the pod's sidecar logs from now on (the file may not
 * exist yet). The offset is in bytes and the file is cut as bytes: the log is
 * UTF-8, and a character offset would skip or repeat a line after any
 * non-ASCII text.
 */
export function sidecarLogFromNow(pod: Pod): () => LogEvent[] {
  const file = join(pod.paths.logs, 'sidecar.log');
  const offset = existsSync(file) ? statSync(file).size : 0;
  return () => (existsSync(file) ? parseLog(readFileSync(file).subarray(offset).toString('utf8')) : []);
}

/** The plan init logged ('bootstrap', 'clone', …), or undefined when it decided nothing (a kept data dir). */
export function initPlanOf(log: readonly LogEvent[]): string | undefined {
  const decided = log.filter((event) => event.msg === 'decided how to initialise the data dir');
  return decided.at(-1)?.plan as string | undefined;
}

/** Creates pod n if it does not exist and starts its containers; throws with init's message if init fails. */
export async function startPod(cluster: Cluster, n: number, env: Record<string, string> = {}): Promise<PodStart> {
  const started = Date.now();
  const pod = cluster.listPods().find((candidate) => candidate.n === n) ?? (await cluster.addPod(n));
  const pending = runInitContainer(cluster, pod, env);
  return finishStart(cluster, pod, env, pending, started);
}

/**
 * The rest of a start once init runs (or ran): the server, the sidecar, Ready.
 * `beforeSidecar` runs once the server's startup probe passes, before the
 * sidecar starts (what a test sets on the server before the agent acts).
 */
export async function finishStart(
  cluster: Cluster,
  pod: Pod,
  env: Record<string, string>,
  pendingInit: Promise<ExecResult>,
  started: number,
  beforeSidecar?: () => Promise<void>,
): Promise<PodStart> {
  const init = await pendingInit;
  if (init.exitCode !== 0) throw new Error(`init of ${pod.name} exited ${init.exitCode}: ${init.stderr.trim()}`);
  if (beforeSidecar === undefined) {
    await startContainers(cluster, pod, env, READY_TIMEOUT_MS);
  } else {
    await pod.startServer({ timeoutMs: READY_TIMEOUT_MS });
    await waitForProbe(pod, CONTAINERS.server, 'startupProbe', READY_TIMEOUT_MS);
    await beforeSidecar();
    startSidecar(cluster, pod, env);
    await waitForSidecar(pod);
    await waitForReady(pod, READY_TIMEOUT_MS);
  }
  return { pod, init, initLog: parseLog(init.stdout), timeToReadyMs: Date.now() - started };
}

/**
 * Pods `ordinals` started as the StatefulSet controller starts them under
 * `podManagementPolicy: Parallel`: every pod created, then every init
 * container at once, each pod going on to its server and sidecar when its own
 * init ends. Refuses a workload that does not declare Parallel, so the
 * scenario runs what k8s/ declares. Waits for every start before throwing the
 * first failure, so no start is left running unseen.
 */
export async function startInParallel(cluster: Cluster, ordinals: readonly number[], env: Record<string, string> = {}): Promise<PodStart[]> {
  const policy = cluster.workload.podManagementPolicy;
  if (policy !== 'Parallel') throw new Error(`the overlay's StatefulSet declares podManagementPolicy ${policy}, not Parallel`);
  const started = Date.now();
  const pods: Pod[] = [];
  for (const n of ordinals) pods.push(cluster.listPods().find((candidate) => candidate.n === n) ?? (await cluster.addPod(n)));
  const results = await Promise.allSettled(pods.map((pod) => finishStart(cluster, pod, env, runInitContainer(cluster, pod, env), started)));
  const failed = results.find((result) => result.status === 'rejected');
  if (failed !== undefined) throw failed.reason;
  return results.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
}

/** clone.json as bytes plus its mtime: equal stamps mean no new clone touched the volume. */
export interface CloneStamp {
  readonly text: string;
  readonly mtimeMs: number;
}

export function cloneStampOf(pod: Pod): CloneStamp | undefined {
  const file = join(pod.paths.state, 'clone.json');
  if (!existsSync(file)) return undefined;
  return { text: readFileSync(file, 'utf8'), mtimeMs: statSync(file).mtimeMs };
}

/** The completion marker's content (`{"how":"clone"|"adopt",…}`), or undefined when there is none. */
export function markerOf(pod: Pod): { how: string; at: string } | undefined {
  const file = join(pod.paths.state, 'initialized');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { how: string; at: string }) : undefined;
}

/** What init said it did ("init done": 'kept', 'adopted', 'cloned', 'clone-pending', 'bootstrap'). */
export function initOutcomeOf(log: readonly LogEvent[]): string | undefined {
  return log.filter((event) => event.msg === 'init done').at(-1)?.outcome as string | undefined;
}
