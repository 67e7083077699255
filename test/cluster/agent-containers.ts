import { execa } from 'execa';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { PODMAN_GLOBAL, PODMAN_ULIMITS } from '../support/podman.js';
import { containerOf, type Workload } from './manifest.js';
import { netnsEtcFile } from './netns.js';
import { BASE_PATH } from './options.js';
import { quantityBytes } from './quantity.js';
import type { ExecResult } from './pod-commands.js';
import { spawnTracked, type ManagedProcess, type ProcessTable } from './processes.js';
import type { Mount } from './volumes.js';
import type { PodUser } from './fs-group.js';

/**
 * The agent's containers (init, sidecar) run from the image, as podman
 * containers in the pod's namespaces: the pod's network namespace (the
 * harness's servers stay host processes there), its hostname, its kubelet
 * files (resolv.conf, hosts, the termination log), the container's volume
 * mounts from the manifest, and the StatefulSet's securityContext. The image
 * brings its own user, entrypoint and read-only files; nothing of the host's
 * reaches the container but those mounts.
 *
 * Each container is a `podman run --rm` attached to a tracked client process,
 * so a test's signal to that process (podman proxies SIGTERM to the
 * container's PID 1) and its exit code are the container's. A pod delete is
 * `podman stop --time <grace>` on every container the pod started.
 */

/** One container start: the manifest's command line and environment. */
export interface ContainerRun {
  readonly container: string;
  readonly file: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string>>;
}

export interface AgentContainersDeps {
  readonly image: string;
  readonly workload: Workload;
  readonly user: PodUser;
  readonly table: ProcessTable;
  readonly detached: boolean;
  /** The container's volume mounts, host dir → container path. */
  readonly mounts: (container: string) => Mount[];
}

export interface PodFacts {
  readonly name: string;
  readonly n: number;
  readonly netns: string;
  readonly logs: string;
  /** Host file the kubelet mounts at the container's /dev/termination-log. */
  readonly terminationLog: string;
}

/** The container's securityContext as podman flags; refuses what the harness cannot run as declared. */
export function securityArgs(container: IContainer, user: PodUser): string[] {
  const context = container.securityContext ?? {};
  if (context.privileged === true) throw new Error(`${container.name}: a privileged container is not run by the harness`);
  const uid = context.runAsUser ?? user.uid;
  const gid = context.runAsGroup ?? user.gid;
  const args = ['--user', `${uid}:${gid}`, '--group-add', String(user.fsGroup)];
  // Kubernetes mounts no tmpfs of its own on a read-only root: /tmp is the manifest's emptyDir.
  if (context.readOnlyRootFilesystem === true) args.push('--read-only', '--read-only-tmpfs=false');
  for (const cap of context.capabilities?.drop ?? []) args.push('--cap-drop', cap);
  for (const cap of context.capabilities?.add ?? []) args.push('--cap-add', cap);
  if (context.allowPrivilegeEscalation === false) args.push('--security-opt', 'no-new-privileges');
  return args;
}

/**
 * The container's memory limit as podman's --memory (the cgroup the kernel
 * OOM-kills in, as the kubelet sets it): a clone or a dump that needs more
 * than the manifest allows fails here as it would in a cluster.
 */
export function resourceArgs(container: IContainer): string[] {
  const bytes = memoryLimitBytes(container);
  return bytes === undefined ? [] : ['--memory', String(bytes)];
}

/** The container's `resources.limits.memory` in bytes; undefined where the manifest sets none (a request alone is no limit). */
export function memoryLimitBytes(container: IContainer): number | undefined {
  const memory = container.resources?.limits?.['memory'];
  return memory === undefined ? undefined : quantityBytes(String(memory));
}

/** podman's environment: the values `--env NAME` takes, and a PATH to find its runtime. */
function podmanEnv(env: Record<string, string>): Record<string, string> {
  return { PATH: process.env['PATH'] ?? BASE_PATH, ...env };
}

/** A podman command to completion, as an ExecResult (never throws on a non-zero exit). */
async function podmanToCompletion(args: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<ExecResult> {
  const result = await execa('podman', args, { env, extendEnv: false, reject: false, timeout: timeoutMs });
  return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
}

/** Where a container of the pod runs: its network namespace, hostname and kubelet files. */
export type PodPlace = Pick<PodFacts, 'name' | 'netns' | 'terminationLog'>;

/**
 * `podman run` argv and its environment for one of the manifest's containers
 * in the pod: its network namespace and hostname, the kubelet's files
 * (resolv.conf, hosts, termination log), the given volume mounts and security
 * flags, the manifest's command over the image's entrypoint. Values travel in
 * podman's own environment (`--env NAME`), never in argv, where `ps` would
 * show a secret.
 */
export function podmanRunInPod(
  pod: PodPlace,
  input: { name: string; image: string; run: ContainerRun; mounts: readonly Mount[]; security: readonly string[]; options: readonly string[] },
): { args: string[]; env: Record<string, string> } {
  const { run } = input;
  const mounts = [
    ...input.mounts.map((mount) => `${mount.source}:${mount.target}${mount.readOnly === true ? ':ro' : ''}`),
    `${netnsEtcFile(pod.netns, 'resolv.conf')}:/etc/resolv.conf:ro`,
    `${netnsEtcFile(pod.netns, 'hosts')}:/etc/hosts:ro`,
    `${pod.terminationLog}:/dev/termination-log`,
  ];
  const args = [
    ...PODMAN_GLOBAL,
    'run',
    ...input.options,
    '--pull=never',
    '--name',
    input.name,
    '--network',
    `ns:/var/run/netns/${pod.netns}`,
    '--hostname',
    pod.name,
    ...PODMAN_ULIMITS,
    ...input.security,
    ...mounts.flatMap((mount) => ['--volume', mount]),
    ...Object.keys(run.env).flatMap((key) => ['--env', key]),
    '--entrypoint',
    run.file,
    input.image,
    ...run.args,
  ];
  return { args, env: podmanEnv(run.env) };
}

export class AgentContainers {
  /** Names of the containers this pod started, until removed. */
  private readonly names = new Set<string>();
  /** The last container started for each of the manifest's containers. */
  private readonly latest = new Map<string, string>();
  private count = 0;

  constructor(
    private readonly pod: PodFacts,
    private readonly deps: AgentContainersDeps,
  ) {}

  private runCommand(run: ContainerRun, name: string): { args: string[]; env: Record<string, string> } {
    const { deps } = this;
    const container = containerOf(deps.workload, run.container);
    return podmanRunInPod(this.pod, {
      name,
      image: deps.image,
      run,
      mounts: deps.mounts(run.container),
      security: securityArgs(container, deps.user),
      options: ['--rm', ...resourceArgs(container)],
    });
  }

  private nextName(container: string): string {
    const name = `${this.pod.netns}-${container}-${++this.count}`;
    this.names.add(name);
    this.latest.set(container, name);
    return name;
  }

  /** The host PID of the running container's PID 1 (the last one started for `container`), or undefined when none runs. */
  async mainPid(container: string): Promise<number | undefined> {
    const name = this.latest.get(container);
    if (name === undefined) return undefined;
    const inspected = await execa('podman', [...PODMAN_GLOBAL, 'inspect', '--format', '{{.State.Pid}}', name], { reject: false });
    const pid = Number(inspected.stdout.trim());
    return inspected.exitCode === 0 && pid > 0 ? pid : undefined;
  }

  /** Containers of this pod podman still knows (running, or exited and not removed). */
  async remaining(): Promise<string[]> {
    return containersNamed(`${this.pod.netns}-`);
  }

  /** Starts a container in the background, tracked like a pod process; logs to `<label>.log`. */
  spawn(run: ContainerRun, label: string): ManagedProcess {
    const command = this.runCommand(run, this.nextName(run.container));
    return spawnTracked(this.deps.table, {
      file: 'podman',
      args: command.args,
      env: command.env,
      label,
      pod: this.pod.n,
      logFile: `${this.pod.logs}/${label}.log`,
      detached: this.deps.detached,
    });
  }

  /** Runs a container to completion (never throws on a non-zero exit). */
  async exec(run: ContainerRun, timeoutMs: number): Promise<ExecResult> {
    const command = this.runCommand(run, this.nextName(run.container));
    return podmanToCompletion(command.args, command.env, timeoutMs);
  }

  /**
   * A command in the running container, as `kubectl exec` runs it: the
   * container's own environment, user and filesystem, plus `env` (passed by
   * name through podman's environment, never in argv). Never throws on a
   * non-zero exit.
   */
  async execIn(container: string, command: readonly string[], env: Record<string, string>, timeoutMs: number): Promise<ExecResult> {
    const name = this.latest.get(container);
    if (name === undefined) throw new Error(`${this.pod.name}: no ${container} container was started to exec into`);
    const args = [...PODMAN_GLOBAL, 'exec', ...Object.keys(env).flatMap((key) => ['--env', key]), name, ...command];
    return podmanToCompletion(args, podmanEnv(env), timeoutMs);
  }

  /** The pod is deleted: each of its containers stopped with the grace period (podman stop), then removed. */
  async stop(graceSeconds: number): Promise<void> {
    if (this.names.size === 0) return;
    const names = (await containersNamed(`${this.pod.netns}-`)).filter((name) => this.names.has(name));
    await stopAndRemove(names, graceSeconds);
    this.names.clear();
  }
}

/** Containers podman knows (running, or exited and not yet removed) whose name starts with `prefix`. */
async function containersNamed(prefix: string): Promise<string[]> {
  const listed = await execa('podman', [...PODMAN_GLOBAL, 'ps', '--all', '--format', '{{.Names}}', '--filter', `name=^${prefix}`], { reject: false });
  if (listed.exitCode !== 0) throw new Error(`failed to list the containers named ${prefix}*: ${listed.stderr.trim()}`);
  return listed.stdout.split('\n').filter((name) => name.startsWith(prefix));
}

/**
 * SIGTERM to each container's PID 1, SIGKILL after `graceSeconds` (what the
 * kubelet does on a pod delete), then `podman rm --force`: a container already
 * gone is no error.
 */
async function stopAndRemove(names: readonly string[], graceSeconds: number): Promise<void> {
  if (names.length === 0) return;
  // podman takes whole seconds; rounding up never cuts a grace period short.
  const seconds = Math.ceil(graceSeconds);
  await execa('podman', [...PODMAN_GLOBAL, 'stop', '--ignore', '--time', String(seconds), ...names], { reject: false, timeout: (seconds + 30) * 1000 });
  const removed = await execa('podman', [...PODMAN_GLOBAL, 'rm', '--force', '--ignore', '--time', '0', ...names], { reject: false, timeout: 60_000 });
  if (removed.exitCode !== 0) throw new Error(`failed to remove containers ${names.join(', ')}: ${removed.stderr.trim()}`);
}

/**
 * Every container of a cluster, by the name prefix its pods give them
 * (`<cluster id>-`), stopped and removed: the teardown from the state file,
 * which also runs after a crashed test.
 */
export async function removeClusterContainers(clusterId: string, graceSeconds: number): Promise<void> {
  await stopAndRemove(await containersNamed(`${clusterId}-`), graceSeconds);
}
