import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDir } from './datadir.js';
import { ownSecretVolumes, podUserOf } from './fs-group.js';
import { DnsServer } from './dns-server.js';
import { addNamespace, connectToBridge, createBridge, newClusterId, setLinkUp } from './netns.js';
import { ClusterNames, DNS_ADDRESS, podPaths, resolveOptions, type ClusterOptions, type ResolvedOptions } from './options.js';
import { Pod, type PodContext } from './pod.js';
import { ProcessTable, type ProcessRecord } from './processes.js';
import type { Workload } from './manifest.js';
import { serverImageFor, type ServerImage } from './server-image.js';
import { generatePassword, initFilePath, secretVolumeDir, writeSecretVolumes, writeSecrets, type ClusterSecrets } from './secrets.js';
import { saveState } from './state.js';
import { downCluster, reapStaleClusters } from './teardown.js';
import { installAgentCommand, loadWorkload } from './workload.js';

/**
 * A local imitation of a StatefulSet behind a headless Service: pods are
 * network + UTS + mount namespaces on one bridge, with a cluster DNS. See
 * See src/ARCHITECTURE.md, "Tests and the local StatefulSet". Always call `down()` (afterAll), also when a test fails.
 */
export class Cluster {
  readonly names: ClusterNames;
  readonly table: ProcessTable;
  private readonly pods = new Map<number, Pod>();
  private readonly namespaces: string[] = [];
  private readonly dns: DnsServer;
  private readonly createdAt = new Date().toISOString();
  private templatePromise: Promise<string> | undefined;
  private isDown = false;

  private constructor(
    readonly id: string,
    readonly name: string,
    readonly dir: string,
    readonly options: ResolvedOptions,
    readonly secrets: ClusterSecrets,
    /** The rendered StatefulSet every pod of this cluster runs from. */
    readonly workload: Workload,
    /** Its server container's image, as the harness plays it. */
    readonly image: ServerImage,
  ) {
    this.names = new ClusterNames(id, options);
    this.table = new ProcessTable(() => this.saveState());
    this.dns = new DnsServer({ names: this.names, dir: join(dir, 'dns'), table: this.table, detached: options.detached });
  }

  static async create(opts: ClusterOptions = {}): Promise<Cluster> {
    const options = resolveOptions(opts);
    // Before anything is made: a bad overlay or a missing server image fails here.
    const workload = await loadWorkload(options);
    const image = serverImageFor(workload);
    await reapStaleClusters(options.root);
    mkdirSync(options.root, { recursive: true });
    const id = await newClusterId();
    const name = options.name ?? id;
    const dir = join(options.root, name);
    try {
      mkdirSync(dir);
    } catch (err) {
      throw new Error(`failed to create cluster ${name}: ${dir} exists; tear it down first (cli.ts down)`, { cause: err });
    }
    const secrets = writeSecrets(dir, opts.rootPassword ?? generatePassword());
    writeSecretVolumes(dir, workload, secrets.rootPassword);
    if (options.agentImage !== undefined) ownSecretVolumes(workload, (secretName) => secretVolumeDir(dir, secretName), podUserOf(workload));
    installAgentCommand(join(dir, 'bin'));
    const cluster = new Cluster(id, name, dir, options, secrets, workload, image);
    cluster.saveState();
    try {
      await cluster.setUpNetwork();
      await cluster.dns.start([]);
    } catch (err) {
      await cluster.down().catch(() => undefined);
      throw err;
    }
    return cluster;
  }

  /** The bridge namespace and the DNS namespace plugged into it. */
  private async setUpNetwork(): Promise<void> {
    const bridgeNs = this.names.bridgeNamespace();
    const dnsNs = this.names.dnsNamespace();
    this.recordNamespace(bridgeNs);
    await addNamespace(bridgeNs);
    await createBridge(bridgeNs);
    this.recordNamespace(dnsNs);
    await addNamespace(dnsNs);
    await connectToBridge({ bridgeNs, port: 'dns0', ns: dnsNs, address: DNS_ADDRESS });
  }

  /** Recorded before creation, so a crash never leaves an unrecorded namespace. */
  private recordNamespace(ns: string): void {
    if (!this.namespaces.includes(ns)) this.namespaces.push(ns);
    this.saveState();
  }

  private forgetNamespace(ns: string): void {
    const i = this.namespaces.indexOf(ns);
    if (i >= 0) this.namespaces.splice(i, 1);
    this.saveState();
  }

  private saveState(): void {
    // Also called from process exit events: after a teardown by another process
    // (reapStaleClusters, the CLI) the dir is gone and there is nothing to record.
    if (this.isDown || !existsSync(this.dir)) return;
    const { id, name, dir, options, createdAt } = this;
    saveState({ id, name, dir, options, createdAt, namespaces: [...this.namespaces], pods: this.podOrdinals(), processes: this.table.list() });
  }

  private podOrdinals(): number[] {
    return [...this.pods.keys()].sort((a, b) => a - b);
  }

  private template(): Promise<string | undefined> {
    if (!this.options.useTemplate) return Promise.resolve(undefined);
    this.templatePromise ??= this.image.ensureTemplate(this.options.root);
    return this.templatePromise;
  }

  private podContext(): PodContext {
    return {
      names: this.names,
      clusterDir: this.dir,
      table: this.table,
      secrets: this.secrets,
      detached: this.options.detached,
      graceMs: this.options.stopGraceSeconds * 1000,
      template: () => this.template(),
      image: this.image,
      workload: this.workload,
      secretDir: (secretName) => secretVolumeDir(this.dir, secretName),
      binDir: join(this.dir, 'bin'),
      agentImage: this.options.agentImage,
    };
  }

  pod(n: number): Pod {
    const pod = this.pods.get(n);
    if (pod === undefined) throw new Error(`failed to find pod ${this.names.podName(n)}: it does not exist`);
    return pod;
  }

  /** Pods that exist now, by ordinal. */
  listPods(): Pod[] {
    return this.podOrdinals().map((n) => this.pod(n));
  }

  /** A pod with its namespace, DNS records and pause process; no containers yet. */
  async addPod(n: number): Promise<Pod> {
    if (this.pods.has(n)) throw new Error(`failed to add pod ${this.names.podName(n)}: it exists`);
    const pod = new Pod(this.podContext(), n);
    this.recordNamespace(pod.netns);
    try {
      await pod.setUp();
    } catch (err) {
      await pod.tearDown().catch(() => undefined);
      this.forgetNamespace(pod.netns);
      throw err;
    }
    this.pods.set(n, pod);
    this.saveState();
    await this.dns.update(this.podOrdinals());
    return pod;
  }

  /** Kills the pod's processes and removes its namespace and DNS records; the data dir (volume) stays. */
  async deletePod(n: number): Promise<void> {
    const pod = this.pod(n);
    this.pods.delete(n);
    await pod.tearDown();
    this.forgetNamespace(pod.netns);
    await this.dns.update(this.podOrdinals());
  }

  /** The same pod on the same volume, as after `kubectl delete pod`. Containers are not started. */
  async recreatePod(n: number): Promise<Pod> {
    await this.deletePod(n);
    return this.addPod(n);
  }

  /** A lost volume: the pod's data dir becomes empty. Its server must not be running. */
  removePodData(n: number): void {
    const pod = this.pods.get(n);
    if (pod?.server.running === true) throw new Error(`failed to remove the data of ${pod.name}: its server is running`);
    const podName = this.names.podName(n);
    const paths = podPaths(this.dir, podName);
    emptyDir(paths.data);
    emptyDir(paths.state);
    rmSync(initFilePath(this.dir, podName), { force: true });
  }

  /** Pods 0..count-1, in order, each with its server answering SQL. */
  async up(count: number): Promise<Pod[]> {
    for (let n = 0; n < count; n++) {
      const pod = this.pods.get(n) ?? (await this.addPod(n));
      if (!pod.server.running) await pod.startServer();
    }
    return this.listPods();
  }

  /** A network partition: the pod's bridge port goes down (the pod's eth0 loses carrier). */
  async cutLink(n: number): Promise<void> {
    await setLinkUp(this.names.bridgeNamespace(), this.names.bridgePort(this.pod(n).n), false);
  }

  async restoreLink(n: number): Promise<void> {
    await setLinkUp(this.names.bridgeNamespace(), this.names.bridgePort(this.pod(n).n), true);
  }

  /** A DNS outage: queries get "connection refused" until `startDns`. */
  async stopDns(): Promise<void> {
    await this.dns.stop();
  }

  async startDns(): Promise<void> {
    await this.dns.start(this.podOrdinals());
  }

  get dnsRunning(): boolean {
    return this.dns.running;
  }

  /** Live processes the harness started. */
  processes(): ProcessRecord[] {
    return this.table.list();
  }

  /** Every process the harness ever started in this cluster (to check that none survived). */
  startedProcesses(): ProcessRecord[] {
    return [...this.table.history];
  }

  /** Kills everything by PID, removes namespaces, /etc/netns dirs and (unless `keep`) the cluster dir. Idempotent. */
  async down(): Promise<void> {
    if (this.isDown) return;
    this.saveState();
    this.isDown = true;
    // Servers killed below must not be restarted by their pods' restart policy.
    for (const pod of this.pods.values()) pod.server.forget();
    this.pods.clear();
    await downCluster(this.dir, { keep: this.options.keep });
  }
}
