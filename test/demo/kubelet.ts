import { runInitContainer, startContainers, startSidecar } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import type { ManagedProcess } from '../cluster/processes.js';
import type { Phase } from './view.js';

/** What the demo's kubelet knows of one pod. */
export interface PodRuntime {
  readonly n: number;
  phase: Phase;
  /** Container restarts by the demo (the server or the sidecar found dead and started again). */
  restarts: number;
  sidecar: ManagedProcess | null;
}

/** A Ready wait generous enough for a busy 2-core machine with a writer running. */
const READY_TIMEOUT_MS = 300_000;

/**
 * The part of a kubelet and the StatefulSet controller the demo needs: pods
 * start in order (init container, then mariadbd, then the sidecar, Ready
 * before the next), dead containers are started again (restartPolicy:
 * Always), and a deleted pod comes back on the same volume.
 */
export class DemoKubelet {
  readonly pods: PodRuntime[];
  private stopped = false;

  constructor(
    private readonly cluster: Cluster,
    count: number,
    private readonly event: (message: string) => void,
    private readonly env: Record<string, string> = {},
  ) {
    this.pods = Array.from({ length: count }, (_, n) => ({ n, phase: 'pending' as Phase, restarts: 0, sidecar: null }));
  }

  /** The pod object while it exists (it is a new object after a re-creation). */
  podOf(n: number): Pod | undefined {
    return this.cluster.listPods().find((pod) => pod.n === n);
  }

  private runtime(n: number): PodRuntime {
    const runtime = this.pods[n];
    if (runtime === undefined) throw new Error(`failed to find pod ${n} in the demo: it has ${this.pods.length} pods`);
    return runtime;
  }

  /** No more starts or restarts: the set is going down. */
  stop(): void {
    this.stopped = true;
  }

  /** Creates pod n, runs its init container to completion, starts mariadbd and the sidecar, waits for Ready. */
  async bringUp(n: number): Promise<void> {
    const runtime = this.runtime(n);
    const pod = this.podOf(n) ?? (await this.cluster.addPod(n));
    runtime.phase = 'init';
    const init = await runInitContainer(this.cluster, pod, this.env);
    if (this.stopped) return;
    if (init.exitCode !== 0) {
      runtime.phase = 'failed';
      throw new Error(`init of ${pod.name} exited ${init.exitCode}: ${init.stderr.trim() || lastLogLine(init.stdout)}`);
    }
    this.event(`${pod.name}: init done (${initOutcome(init.stdout)})`);
    runtime.phase = 'starting';
    runtime.sidecar = await startContainers(this.cluster, pod, this.env, READY_TIMEOUT_MS);
    runtime.phase = 'running';
    this.event(`${pod.name}: Ready`);
  }

  /**
   * restartPolicy: Always for running pods: a dead server or sidecar is
   * started again. A server image the harness restarts itself (MySQL, whose
   * clone ends with the server exiting) is left to the harness, which counts
   * those restarts (`pod.server.restartCount`).
   */
  async supervise(): Promise<void> {
    const { image } = this.cluster;
    for (const runtime of this.pods) {
      const pod = this.podOf(runtime.n);
      if (this.stopped || pod === undefined || runtime.phase !== 'running') continue;
      if (!pod.server.running && !image.restartOnExit) await this.restart(runtime, image.daemon, () => pod.startServer({ timeoutMs: READY_TIMEOUT_MS }));
      if (this.stopped) return;
      if (runtime.sidecar?.alive !== true) {
        await this.restart(runtime, 'sidecar', async () => {
          runtime.sidecar = startSidecar(this.cluster, pod, this.env);
        });
      }
    }
  }

  private async restart(runtime: PodRuntime, container: string, start: () => Promise<void>): Promise<void> {
    const name = this.cluster.names.podName(runtime.n);
    this.event(`${name}: ${container} is not running; starting it again (restartPolicy: Always)`);
    runtime.phase = 'restarting';
    runtime.restarts += 1;
    try {
      await start();
      this.event(`${name}: ${container} started again`);
    } catch (error) {
      // The next supervision round tries again, like the kubelet's back-off.
      this.event(`${name}: failed to start ${container}: ${(error as Error).message.split('\n')[0] ?? ''}`);
    } finally {
      runtime.phase = 'running';
    }
  }

  /** `kubectl delete pod`: the pod goes, the StatefulSet makes it again on its volume (emptied first when `wipe`: a lost volume). */
  async recreate(n: number, wipe: boolean): Promise<void> {
    const runtime = this.runtime(n);
    const name = this.cluster.names.podName(n);
    if (runtime.phase !== 'running') {
      this.event(`${name}: not deleted: it is ${runtime.phase}`);
      return;
    }
    this.event(`${name}: deleting the pod${wipe ? ' and emptying its volume' : ''}`);
    runtime.phase = 'terminating';
    runtime.sidecar = null;
    await this.cluster.deletePod(n);
    if (wipe) this.cluster.removePodData(n);
    if (this.stopped) return;
    runtime.phase = 'pending';
    await this.bringUp(n);
  }
}

/** The init's outcome from its last pino line (`init done` with `outcome`). */
export function initOutcome(stdout: string): string {
  for (const line of stdout.trim().split('\n').reverse()) {
    try {
      const entry = JSON.parse(line) as { msg?: unknown; outcome?: unknown };
      if (entry.msg === 'init done' && typeof entry.outcome === 'string') return entry.outcome;
    } catch {
      // not a log line
    }
  }
  return 'unknown outcome';
}

function lastLogLine(stdout: string): string {
  return stdout.trim().split('\n').at(-1) ?? 'no output';
}
