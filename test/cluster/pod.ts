import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa } from 'execa';
import { createConnection, type Connection } from 'mysql2/promise';
import { connectToBridge, addNamespace, deleteLink, deleteNamespace, namespacePids, removeNetnsEtc, writeNetnsEtc } from './netns.js';
import type { Workload } from './manifest.js';
import { CONTAINERS } from './containers.js';
import { CONTAINER_PATHS, podPaths, type ClusterNames, type PodPaths } from './options.js';
import { startPause } from './pause.js';
import { PortForwards } from './port-forward.js';
import { renderHosts, renderResolvConf } from './pod-files.js';
import { readStartTime, spawnTracked, terminateAll, type ManagedProcess, type ProcessRecord, type ProcessTable } from './processes.js';
import type { ClusterSecrets } from './secrets.js';
import { initFilePath } from './secrets.js';
import { ServerContainer } from './server.js';
import type { ServerImage } from './server-image.js';
import { podBaseEnvironment, podCommandLine, type ExecOptions, type ExecResult, type SpawnOptions } from './pod-commands.js';
import { httpRequestUnix, type HttpResponse } from './unix-http.js';
import { agentContainerMounts, emptyDirSources, emptyPodVolumes, podVolumeMounts, rootfsMounts } from './pod-volumes.js';
import { AgentContainers } from './agent-containers.js';
import { ownPodDirs, podUserOf, terminationLogOf, type PodUser } from './fs-group.js';

/** What a pod needs from its cluster. */
export interface PodContext {
  names: ClusterNames;
  clusterDir: string;
  table: ProcessTable;
  secrets: ClusterSecrets;
  detached: boolean;
  graceMs: number;
  template: () => Promise<string | undefined>;
  /** The server container's image (the host's MariaDB or a root filesystem). */
  image: ServerImage;
  /** The rendered StatefulSet the pod runs from. */
  workload: Workload;
  /** Host dir holding a Secret's keys as files (what a secret volume shows). */
  secretDir: (secretName: string) => string;
  /** Host dir with the image's commands (`mysql-sts-agent`), first on the pod's PATH. */
  binDir: string;
  /** The podman image the agent's containers run from (ClusterOptions.agentImage), or undefined for host processes. */
  agentImage: string | undefined;
}

export type { ExecOptions, ExecResult, SpawnOptions };

export type Row = Record<string, unknown>;

export class Pod {
  readonly name: string;
  readonly fqdn: string;
  readonly address: string;
  /** The network namespace, `<id>-<pod>`. */
  readonly netns: string;
  readonly paths: PodPaths;
  readonly server: ServerContainer;
  /** The agent's containers as podman containers of its image, when the cluster runs them so. */
  readonly fromImage: AgentContainers | undefined;
  /** The securityContext's user every container runs as when the agent runs from its image (fs-group.ts); root otherwise. */
  private readonly user: PodUser | undefined;
  private pause: ManagedProcess | null = null;
  private readonly ports: PortForwards;

  constructor(
    private readonly ctx: PodContext,
    readonly n: number,
  ) {
    const { names } = ctx;
    this.name = names.podName(n);
    this.fqdn = names.podFqdn(n);
    this.address = names.podAddress(n);
    this.netns = names.podNamespace(n);
    this.paths = podPaths(ctx.clusterDir, this.name);
    this.user = ctx.agentImage === undefined ? undefined : podUserOf(ctx.workload);
    this.fromImage = this.agentContainersOf(ctx.agentImage, this.user);
    this.ports = new PortForwards(this.name, this.paths.dir, (cmd, args, opts) => this.spawn(cmd, args, opts));
    this.server = new ServerContainer(
      {
        name: this.name,
        paths: this.paths,
        serverDataDir: () => this.containerPath(CONTAINERS.server, CONTAINER_PATHS.data),
        spawnIn: (cmd, args, label) => this.spawn(cmd, args, { label, container: CONTAINERS.server }),
        execIn: (cmd, args) => this.exec(cmd, args, { reject: false, container: CONTAINERS.server }),
        connect: (opts) => this.connect(opts),
      },
      { image: ctx.image, rootPassword: ctx.secrets.rootPassword, initFile: initFilePath(ctx.clusterDir, this.name), template: ctx.template, runAs: this.user },
    );
  }

  private agentContainersOf(image: string | undefined, user: PodUser | undefined): AgentContainers | undefined {
    if (image === undefined || user === undefined) return undefined;
    const { ctx, paths } = this;
    return new AgentContainers(
      { name: this.name, n: this.n, netns: this.netns, logs: paths.logs, terminationLog: terminationLogOf(paths) },
      {
        image,
        workload: ctx.workload,
        user,
        table: ctx.table,
        detached: ctx.detached,
        mounts: (container) => agentContainerMounts({ workload: ctx.workload, paths, secretDir: ctx.secretDir, container }),
      },
    );
  }

  /** PID of the pause process: `nsenter --target <pausePid> --net --uts --mount` enters the pod. */
  get pausePid(): number {
    return this.assertSetUp().pid;
  }

  private assertSetUp(): ManagedProcess {
    if (this.pause === null) throw new Error(`failed to enter ${this.name}: the pod is not set up or was deleted (use cluster.pod(n))`);
    return this.pause;
  }

  /** Creates the pod's dirs, files, namespace and veth, and starts the pause process. */
  async setUp(): Promise<void> {
    const { paths, ctx } = this;
    for (const dir of [paths.data, paths.state, paths.logs]) mkdirSync(dir, { recursive: true });
    // emptyDirs: a new pod starts with them empty.
    emptyPodVolumes(paths);
    const { workload, secretDir, image } = ctx;
    const mounts = [...podVolumeMounts(workload, paths, secretDir), ...rootfsMounts({ workload, paths, secretDir, image, netns: this.netns })];
    if (this.user !== undefined) ownPodDirs(paths, emptyDirSources(workload, paths, secretDir), this.user);
    writeFileSync(paths.myCnf, image.renderMyCnf(paths));
    writeNetnsEtc(this.netns, { 'resolv.conf': renderResolvConf(ctx.names), hosts: renderHosts(ctx.names, this.n) });
    await addNamespace(this.netns);
    await connectToBridge({ bridgeNs: ctx.names.bridgeNamespace(), port: ctx.names.bridgePort(this.n), ns: this.netns, address: this.address });
    this.pause = await startPause({
      table: ctx.table,
      netns: this.netns,
      hostname: this.name,
      paths,
      mounts,
      rootfs: image.rootfs,
      pod: this.n,
      detached: ctx.detached,
    });
  }

  get workload(): Workload {
    return this.ctx.workload;
  }

  async startServer(opts: { timeoutMs?: number } = {}): Promise<void> {
    this.assertSetUp(); // a deleted pod must fail before its data dir is touched
    await this.server.start(opts.timeoutMs);
  }

  async stopServer(opts: { timeoutMs?: number } = {}): Promise<void> {
    await this.server.stop(opts.timeoutMs);
  }

  async killServer(): Promise<void> {
    await this.server.kill();
  }

  pauseServer(): void {
    this.server.pause();
  }

  resumeServer(): void {
    this.server.resume();
  }

  /** The root filesystem a container's commands run in (undefined: the host's files). */
  rootfsOf(container: string | undefined): string | undefined {
    return container === CONTAINERS.server ? this.ctx.image.rootfs : undefined;
  }

  /** The server container's commands run as the pod's user when the agent runs from its image; the tests' tools as root. */
  private userOf(container: string | undefined): PodUser | undefined {
    return container === CONTAINERS.server ? this.user : undefined;
  }

  /** A path of a container as the host reaches it now, through the pod's mount namespace (what a test mounted there included). */
  containerPath(container: string | undefined, path: string): string {
    return `/proc/${this.pausePid}/root${this.rootfsOf(container) ?? ''}${path}`;
  }

  private env(extra: Record<string, string> | undefined, container?: string): Record<string, string> {
    return { ...podBaseEnvironment({ podName: this.name, binDir: this.ctx.binDir, rootfs: this.rootfsOf(container) }), ...extra };
  }

  /** The environment of the agent's containers: the downward API values and the Service settings. */
  agentEnv(): Record<string, string> {
    const { opts } = this.ctx.names;
    return {
      ...this.env(undefined),
      POD_NAME: this.name,
      POD_NAMESPACE: opts.namespace,
      POD_IP: this.address,
      SERVICE_NAME: opts.service,
      CLUSTER_DOMAIN: opts.clusterDomain,
    };
  }

  /** Starts a long-running process in the pod; tracked by PID, logged to the pod's log dir, killed with the pod. */
  spawn(cmd: string, args: string[], opts: SpawnOptions = {}): ManagedProcess {
    const label = opts.label ?? basename(cmd);
    const line = podCommandLine({ pausePid: this.pausePid, cmd, args, cwd: opts.cwd, rootfs: this.rootfsOf(opts.container), user: this.userOf(opts.container) });
    return spawnTracked(this.ctx.table, {
      ...line,
      env: this.env(opts.env, opts.container),
      label,
      pod: this.n,
      logFile: join(this.paths.logs, `${label}.log`),
      detached: this.ctx.detached,
    });
  }

  /** Runs a command in the pod to completion. */
  async exec(cmd: string, args: string[], opts: ExecOptions = {}): Promise<ExecResult> {
    const line = podCommandLine({ pausePid: this.pausePid, cmd, args, cwd: opts.cwd, rootfs: this.rootfsOf(opts.container), user: this.userOf(opts.container) });
    const result = await execa(line.file, line.args, {
      env: this.env(opts.env, opts.container),
      extendEnv: false,
      reject: opts.reject ?? true,
      input: opts.input,
      timeout: opts.timeoutMs ?? 60_000,
    });
    return { exitCode: result.exitCode ?? -1, stdout: String(result.stdout), stderr: String(result.stderr) };
  }

  /**
   * A server client (`mariadb-dump`, `mysqldump`…) in the server container, as
   * root through the socket, as a backup job in the pod would run it: the
   * password in MYSQL_PWD, never in argv.
   */
  execClient(cmd: string, args: string[], opts: { timeoutMs?: number } = {}): Promise<ExecResult> {
    const client = ['-uroot', `--socket=${CONTAINER_PATHS.socket}`, ...args];
    return this.exec(cmd, client, { reject: false, container: CONTAINERS.server, env: { MYSQL_PWD: this.ctx.secrets.rootPassword }, timeoutMs: opts.timeoutMs });
  }

  /** A root connection through the server's socket (`<podDir>/run/mysqld.sock`). */
  connect(opts: { connectTimeoutMs?: number } = {}): Promise<Connection> {
    return createConnection({
      socketPath: this.paths.socket,
      user: 'root',
      password: this.ctx.secrets.rootPassword,
      connectTimeout: opts.connectTimeoutMs ?? 5000,
      supportBigNumbers: true,
    });
  }

  /** Runs one statement; the rows of a result set, or [] for statements without one. */
  async query<T extends Row = Row>(sql: string, params: unknown[] = []): Promise<T[]> {
    const conn = await this.connect();
    try {
      const [result] = await conn.query(sql, params);
      return Array.isArray(result) ? (result as T[]) : [];
    } finally {
      await conn.end().catch(() => undefined);
    }
  }

  /** A unix socket in the pod dir that reaches 127.0.0.1:<port> inside the pod. */
  forward(port: number): Promise<string> {
    return this.ports.forward(port);
  }

  async httpGet(port: number, path: string, opts: { timeoutMs?: number } = {}): Promise<HttpResponse> {
    return httpRequestUnix({ socketPath: await this.forward(port), path, timeoutMs: opts.timeoutMs });
  }

  /** Live processes the harness started in this pod. */
  processes(): ProcessRecord[] {
    return this.ctx.table.list((rec) => rec.pod === this.n);
  }

  /** Kills every process of the pod (tracked or not), removes its namespace; keeps the data dir. */
  async tearDown(): Promise<void> {
    this.server.forget(); // its exit below is the pod's end, not a reason to restart it
    // The kubelet's SIGTERM to the agent's containers, SIGKILL after the grace period.
    await this.fromImage?.stop(this.ctx.graceMs / 1000);
    const tracked = this.processes();
    const others = (await namespacePids(this.netns))
      .filter((pid) => !tracked.some((rec) => rec.pid === pid))
      .flatMap((pid) => {
        const startTime = readStartTime(pid);
        return startTime === undefined ? [] : [{ pid, startTime }];
      });
    // Containers first (mysqld shuts down cleanly on SIGTERM), the pause process last.
    await terminateAll([...tracked.filter((r) => r.label !== 'pause'), ...others], this.ctx.graceMs);
    await terminateAll(tracked.filter((r) => r.label === 'pause'), this.ctx.graceMs);
    for (const rec of tracked) this.ctx.table.remove(rec);
    this.pause = null;
    this.ports.clear();
    await deleteLink(this.ctx.names.bridgeNamespace(), this.ctx.names.bridgePort(this.n));
    await deleteNamespace(this.netns);
    removeNetnsEtc(this.netns);
    emptyPodVolumes(this.paths);
  }
}
