import { fileURLToPath } from 'node:url';
import { HTTP_PORT } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { sleep } from '../cluster/wait.js';
import { RowWriter } from '../support/row-writer.js';
import { renderGuide } from './guide.js';
import { DemoKubelet } from './kubelet.js';
import { CloneWatch, observePod, ROWS_TABLE } from './observe.js';
import { takeRequests, type DeleteRequest } from './requests.js';
import type { Screen } from './screen.js';
import type { Snapshot } from './view.js';

const PROJECT_DIR = fileURLToPath(new URL('../..', import.meta.url)).replace(/\/$/, '');
const REFRESH_MS = 1_000;
/** Clones of a small set take a second or two: refresh faster while a pod is in init, so the bar is seen moving. */
const INIT_REFRESH_MS = 250;
const EVENTS_SHOWN = 6;

/**
 * One run of the demo while the set is up: brings the pods up in order,
 * starts the writer once mysql-0 is Ready, and every second reads every pod,
 * restarts dead containers, takes delete requests and redraws.
 */
export class DemoSession {
  private readonly started = Date.now();
  private readonly events: string[] = [];
  private readonly clone: CloneWatch;
  private writer: RowWriter | undefined;
  private guide: string[] = [];
  private refreshing = false;
  private refreshLoop: Promise<void> = Promise.resolve();
  private supervising: Promise<void> | undefined;
  private readonly background = new Set<Promise<void>>();
  readonly kubelet: DemoKubelet;
  /** Every pod was Ready once: the writer runs and a summary makes sense. */
  isUp = false;

  constructor(
    private readonly cluster: Cluster,
    count: number,
    private readonly screen: Screen,
  ) {
    this.kubelet = new DemoKubelet(cluster, count, (message) => this.event(message));
    this.clone = new CloneWatch(() => this.runningPods());
  }

  event(message: string): void {
    const line = `t=${this.elapsedSeconds()}s ${message}`;
    this.events.push(line);
    this.events.splice(0, Math.max(0, this.events.length - EVENTS_SHOWN));
    this.screen.event(line);
  }

  private elapsedSeconds(): number {
    return Math.round((Date.now() - this.started) / 1000);
  }

  private runningPods(): Pod[] {
    return this.kubelet.pods.flatMap((runtime) => {
      const pod = runtime.phase === 'running' ? this.kubelet.podOf(runtime.n) : undefined;
      return pod === undefined ? [] : [pod];
    });
  }

  startRefreshing(): void {
    this.refreshing = true;
    this.refreshLoop = (async () => {
      while (this.refreshing) {
        await this.tick();
        await sleep(this.kubelet.pods.some((pod) => pod.phase === 'init') ? INIT_REFRESH_MS : REFRESH_MS);
      }
    })();
  }

  async stopRefreshing(): Promise<void> {
    this.refreshing = false;
    await this.refreshLoop;
  }

  private async tick(): Promise<void> {
    for (const request of takeRequests(this.cluster.dir)) this.handle(request);
    // A restart takes seconds: the table keeps refreshing meanwhile.
    this.supervising ??= this.kubelet.supervise().finally(() => (this.supervising = undefined));
    this.screen.frame(await this.snapshot(), this.guide);
  }

  private handle(request: DeleteRequest): void {
    const job = this.kubelet.recreate(request.pod, request.wipe).catch((error: unknown) => {
      this.event(`${this.cluster.names.podName(request.pod)}: failed to re-create: ${(error as Error).message.split('\n')[0] ?? ''}`);
    });
    this.background.add(job);
    void job.finally(() => this.background.delete(job));
  }

  async snapshot(): Promise<Snapshot> {
    const pods = await Promise.all(
      this.kubelet.pods.map((runtime) =>
        observePod({ name: this.cluster.names.podName(runtime.n), pod: this.kubelet.podOf(runtime.n), runtime, clone: this.clone }),
      ),
    );
    return {
      elapsedSeconds: (Date.now() - this.started) / 1000,
      pods,
      acknowledged: this.writer === undefined ? null : this.writer.acknowledged.length,
      events: [...this.events],
    };
  }

  /** Pods in order, each Ready before the next (OrderedReady); the writer starts once mysql-0 is Ready. */
  async bringUp(): Promise<void> {
    for (const runtime of this.kubelet.pods) {
      await this.kubelet.bringUp(runtime.n);
      if (runtime.n === 0) await this.startWriter();
    }
    this.isUp = true;
    this.guide = renderGuide({
      projectDir: PROJECT_DIR,
      clusterName: this.cluster.name,
      clientOptionFile: this.cluster.secrets.clientOptionFile,
      httpPort: HTTP_PORT,
      daemon: this.cluster.image.daemon,
      pods: this.cluster.listPods().map((pod) => ({
        name: pod.name,
        netns: pod.netns,
        address: pod.address,
        pidFile: `${pod.paths.run}/mysqld.pid`,
        socket: pod.paths.socket,
      })),
    });
  }

  private async startWriter(): Promise<void> {
    const primary = this.cluster.pod(0);
    await primary.query('CREATE DATABASE IF NOT EXISTS app');
    await primary.query(`CREATE TABLE IF NOT EXISTS ${ROWS_TABLE} (id INT PRIMARY KEY, note VARCHAR(64))`);
    // The pod object changes when mysql-0 is re-created: look it up on every connect.
    this.writer = new RowWriter(() => this.cluster.pod(0).connect(), ROWS_TABLE);
    this.writer.start();
    this.event(`writer: inserting numbered rows into ${ROWS_TABLE} on mysql-0`);
  }

  /** Stops the writer; the ids mysql-0 acknowledged. */
  async stopWriter(): Promise<number[]> {
    return this.writer === undefined ? [] : [...(await this.writer.stop())];
  }

  /** Pods whose data the summary compares: those running now (one being re-created is left out). */
  summaryPods(): Pod[] {
    return this.runningPods();
  }
}
