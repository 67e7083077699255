import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import { CONTAINERS, containerEnvironment, HTTP_PORT, startSidecar } from '../cluster/agent.js';
import { commandLine } from '../cluster/containers.js';
import type { Cluster, Pod } from '../cluster/index.js';
import { containerOf } from '../cluster/manifest.js';
import { podmanRunInPod } from '../cluster/agent-containers.js';
import { terminationLogOf } from '../cluster/fs-group.js';
import { podContainerMounts } from '../cluster/pod-volumes.js';
import { terminateAll } from '../cluster/processes.js';
import { secretVolumeDir } from '../cluster/secrets.js';
import { podman } from '../support/podman.js';
import { readProc } from './proc.js';

const HEALTHZ_LATENCY = fileURLToPath(new URL('./pod/healthz-latency.mjs', import.meta.url));
/** The moment: RSS 30 s after start, when start-up garbage has been collected and the loop runs its steady checks. */
export const IDLE_AFTER_SECONDS = 30;
const HEALTHZ_COUNT = 200;

/** One sidecar's idle footprint 30 s after it started, read from /proc on the host, then its /healthz latency from inside the pod. */
export interface SidecarIdle {
  readonly pod: string;
  readonly where: 'image' | 'host';
  /** What the sidecar's /status said after the reading: its role and readiness (a real server is behind it). */
  readonly role: string;
  readonly ready: boolean;
  readonly rssBytes: number;
  readonly rssAnonBytes: number;
  readonly rssFileBytes: number;
  readonly threads: number;
  /** /proc/<pid>/cmdline: node's flags as the process got them (the image's launcher puts some on its shebang line). */
  readonly command: string;
  readonly healthzMs: { readonly count: number; readonly statuses: Readonly<Record<string, number>>; readonly p50: number; readonly p99: number; readonly max: number };
}

type Running = { pid: number; alive: () => Promise<boolean> };

/** Waits out the idle time (IDLE_AFTER_SECONDS but in the smoke test), reads /proc, then asks /status and times /healthz from inside the pod. */
async function measureRunning(pod: Pod, where: SidecarIdle['where'], running: Running, idleSeconds: number): Promise<SidecarIdle> {
  await sleep(idleSeconds * 1000);
  if (!(await running.alive())) throw new Error(`${pod.name}'s sidecar (${where}) exited within ${idleSeconds} s of its start; see ${pod.paths.logs}`);
  const proc = readProc(running.pid);
  const result = await pod.exec('node', [HEALTHZ_LATENCY, JSON.stringify({ port: HTTP_PORT, count: HEALTHZ_COUNT, timeoutMs: 5_000 })], { reject: false, timeoutMs: 120_000 });
  if (result.exitCode !== 0) throw new Error(`the /healthz timer in ${pod.name} exited ${result.exitCode}: ${result.stderr.trim().slice(-1000)}`);
  const answer = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as { role: string; ready: boolean; healthz: SidecarIdle['healthzMs'] };
  return {
    pod: pod.name,
    where,
    role: answer.role,
    ready: answer.ready,
    rssBytes: proc.rssBytes,
    rssAnonBytes: proc.rssAnonBytes,
    rssFileBytes: proc.rssFileBytes,
    threads: proc.threads,
    command: readFileSync(`/proc/${running.pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '').join(' '),
    healthzMs: answer.healthz,
  };
}

/** Stops the pod's running sidecar (SIGTERM, as the kubelet does), so another can take its ports. */
export async function stopPodSidecar(pod: Pod): Promise<void> {
  await terminateAll(
    pod.processes().filter((record) => record.label === 'sidecar'),
    15_000,
  );
}

/** A new sidecar on the host, as the harness runs it (node and dist/ of this checkout), measured; it keeps running. */
export async function measureHostSidecar(cluster: Cluster, pod: Pod, idleSeconds: number): Promise<SidecarIdle> {
  const sidecar = startSidecar(cluster, pod);
  return measureRunning(pod, 'host', { pid: sidecar.pid, alive: () => Promise.resolve(sidecar.alive) }, idleSeconds);
}

/**
 * The sidecar from `image` as a container in the pod's network namespace
 * (`--network ns:`), with the manifest's command, environment and volume
 * mounts on the pod's dirs, and the pod's resolv.conf and hosts, as the
 * harness's image pods run it (`podmanRunInPod`): the same server, peers and
 * DNS as the host's sidecar. It runs as root with
 * DAC_OVERRIDE only, not as 999: the harness's pod files belong to root and
 * the host's mysql user (a StatefulSet gives them to 999 with fsGroup); memory
 * does not depend on the uid. Removed after the measurement.
 */
export async function measureImageSidecar(cluster: Cluster, pod: Pod, image: string, idleSeconds: number): Promise<SidecarIdle> {
  const name = `msa-bench-${pod.netns}`;
  const terminationLog = terminationLogOf(pod.paths);
  if (!existsSync(terminationLog)) writeFileSync(terminationLog, '');
  const command = podmanRunInPod(
    { name: pod.name, netns: pod.netns, terminationLog },
    {
      name,
      image,
      run: { container: CONTAINERS.sidecar, ...commandLine(containerOf(cluster.workload, CONTAINERS.sidecar)), env: containerEnvironment(cluster, pod, CONTAINERS.sidecar) },
      mounts: [
        ...podContainerMounts(cluster.workload, CONTAINERS.sidecar, pod.paths, (secret) => secretVolumeDir(cluster.dir, secret)),
        // The host-process environment's TERMINATION_LOG names a file there.
        { source: pod.paths.logs, target: pod.paths.logs },
      ],
      security: ['--read-only', '--cap-drop', 'ALL', '--cap-add', 'DAC_OVERRIDE', '--security-opt', 'no-new-privileges', '--user', '0:0'],
      options: ['--detach'],
    },
  );
  const run = await execa('podman', command.args, { env: command.env, extendEnv: false, reject: false, timeout: 60_000 });
  try {
    if (run.exitCode !== 0) throw new Error(`podman run of ${image} in ${pod.name} failed (exit ${run.exitCode}): ${String(run.stderr).trim().split('\n')[0]}`);
    const pidOf = async () => Number((await podman(['inspect', '--format', '{{.State.Pid}}', name])).stdout);
    const pid = await pidOf();
    return await measureRunning(pod, 'image', { pid, alive: async () => (await pidOf()) === pid && pid > 0 }, idleSeconds);
  } catch (error) {
    const logs = await podman(['logs', '--tail', '5', name]);
    throw new Error(`${(error as Error).message}\n${name}'s last lines:\n${String(logs.stdout)}${String(logs.stderr)}`, { cause: error });
  } finally {
    await podman(['rm', '--force', '--time', '10', name]);
  }
}
