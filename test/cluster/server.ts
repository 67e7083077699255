import { appendFileSync, chownSync, copyFileSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { copyTemplate } from './datadir.js';
import { chownTree } from './fs-group.js';
import { CONTAINER_PATHS, type PodPaths } from './options.js';
import type { ExitInfo, ManagedProcess } from './processes.js';
import { RestartPolicy } from './restart-policy.js';
import type { ServerImage } from './server-image.js';
import { GiveUp, waitFor } from './wait.js';

/**
 * The pod's "server container": what the image's entrypoint does (initialise
 * an empty data dir, set the root password) followed by the server running in
 * the pod, plus the signals a test sends it, and the kubelet's restart of a
 * server that exited on its own when the image asks for it.
 */

/** What the server container needs from its pod. */
export interface ServerHost {
  readonly name: string;
  readonly paths: PodPaths;
  /**
   * The data dir as the server container sees it, from the host: the volume
   * mounted there now (a test may have put another over it), which is where the
   * image's entrypoint initialises a server.
   */
  serverDataDir(): string;
  /** Commands of the server container: in the image's root filesystem when it has one. */
  spawnIn(cmd: string, args: string[], label: string): ManagedProcess;
  execIn(cmd: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  connect(opts?: { connectTimeoutMs?: number }): Promise<Connection>;
}

export interface ServerDeps {
  image: ServerImage;
  rootPassword: string;
  /** Pending init file (0600, outside the pod dirs); see `initFilePath`. */
  initFile: string;
  /** Returns the template data dir, or undefined to initialise the data dir in the pod. */
  template: () => Promise<string | undefined>;
  /** The pod's user the server runs as (the pod runs the agent from its image, fs-group.ts), or undefined: root. */
  runAs: { readonly uid: number; readonly gid: number } | undefined;
}

/** How the last empty data dir was initialised and how long it took. */
export interface DataDirInit {
  method: 'template' | 'install-db';
  ms: number;
}

/** The init file as the server reads it: in /run/mysqld (a memory emptyDir in Kubernetes), visible in every image. */
const STAGED_INIT_FILE = 'init.sql';

export class ServerContainer {
  private process: ManagedProcess | null = null;
  private readonly restarts: RestartPolicy;
  lastInit: DataDirInit | undefined;
  /** How the last server process that exited on its own ended. */
  lastExit: ExitInfo | undefined;

  constructor(
    private readonly host: ServerHost,
    private readonly deps: ServerDeps,
  ) {
    this.restarts = new RestartPolicy(host.name, (reason) => this.restartAfterExit(reason));
  }

  get pid(): number | undefined {
    return this.process?.alive === true ? this.process.pid : undefined;
  }

  get running(): boolean {
    return this.process?.alive ?? false;
  }

  /** Times the harness started the server again after it exited on its own (kubectl's RESTARTS). */
  get restartCount(): number {
    return this.restarts.count;
  }

  /** Initialises the data dir if `mysql/` is missing (as the image does), starts the server, waits for SQL. */
  async start(timeoutMs = 60_000): Promise<void> {
    this.restarts.cancelPending();
    if (this.running) throw new Error(`failed to start ${this.deps.image.daemon} in ${this.host.name}: it is already running`);
    await this.ensureDataDir();
    const pending = existsSync(this.deps.initFile);
    const { runAs } = this.deps;
    const args = [`--defaults-file=${CONTAINER_PATHS.myCnf}`, ...(runAs === undefined ? ['--user=root'] : [])];
    const staged = join(this.host.paths.run, STAGED_INIT_FILE);
    if (pending) {
      copyFileSync(this.deps.initFile, staged);
      if (runAs !== undefined) chownSync(staged, runAs.uid, runAs.gid);
      args.push(`--init-file=${CONTAINER_PATHS.run}/${STAGED_INIT_FILE}`);
    }
    this.restarts.assertOpen();
    const proc = this.host.spawnIn(this.deps.image.daemon, args, 'mysqld');
    this.process = proc;
    this.restarts.spawned();
    void proc.exited.then((exit) => this.onExit(proc, exit));
    try {
      await this.waitForSql(proc, timeoutMs);
    } finally {
      rmSync(staged, { force: true });
    }
    // The password works now: the init file has done its job and must not run again.
    if (pending) rmSync(this.deps.initFile, { force: true });
  }

  private onExit(proc: ManagedProcess, exit: ExitInfo): void {
    if (this.process !== proc) return; // the harness stopped, killed or forgot it
    this.process = null;
    this.lastExit = exit;
    if (!this.deps.image.restartOnExit) return;
    const how = exit.signal === undefined ? `exit code ${String(exit.exitCode)}` : `signal ${exit.signal}`;
    this.restarts.schedule(`${this.deps.image.daemon} exited on its own (${how})`);
  }

  private async restartAfterExit(reason: string): Promise<void> {
    this.kubeletLog(`${reason}; starting it again (restart ${this.restarts.count})`);
    try {
      await this.start();
      this.kubeletLog(`restart ${this.restarts.count}: answers SQL`);
    } catch (error) {
      // A server that exits again is scheduled again by its own exit; a start that failed before it is final.
      this.kubeletLog(`restart ${this.restarts.count} failed: ${(error as Error).message}`);
      throw error;
    }
  }

  /** The harness's own account of the container's restarts, beside the server's logs. */
  private kubeletLog(line: string): void {
    appendFileSync(join(this.host.paths.logs, 'kubelet.log'), `${new Date().toISOString()} ${line}\n`);
  }

  /**
   * Resolves once the server has been restarted `count` times in all and its
   * last restart answers SQL; throws when that restart failed.
   */
  async waitForRestarts(count: number, timeoutMs = 120_000): Promise<void> {
    await this.restarts.waitFor(count, timeoutMs, () => this.errorLogTail());
  }

  private async ensureDataDir(): Promise<void> {
    const dataDir = this.host.serverDataDir();
    if (existsSync(join(dataDir, 'mysql'))) return;
    const started = Date.now();
    const { image } = this.deps;
    const template = await this.deps.template();
    if (template !== undefined) {
      await copyTemplate(template, dataDir, image.perPodFiles);
    } else {
      const result = await this.host.execIn(image.initialiseCommand.cmd, [...image.initialiseCommand.args]);
      if (result.exitCode !== 0) {
        throw new Error(`failed to initialise the data dir of ${this.host.name}: ${result.stderr || result.stdout}`);
      }
    }
    // As the image's entrypoint leaves it when it runs as the pod's user: the server's own files.
    const { runAs } = this.deps;
    if (runAs !== undefined) chownTree(dataDir, runAs.uid, runAs.gid);
    writeFileSync(this.deps.initFile, image.renderInitSql(this.deps.rootPassword), { mode: 0o600 });
    this.lastInit = { method: template !== undefined ? 'template' : 'install-db', ms: Date.now() - started };
  }

  private async waitForSql(proc: ManagedProcess, timeoutMs: number): Promise<void> {
    const { daemon } = this.deps.image;
    await waitFor(
      async () => {
        if (!proc.alive) throw new GiveUp(new Error(`failed to start ${daemon} in ${this.host.name}: it exited\n${this.errorLogTail()}`));
        const conn = await this.host.connect({ connectTimeoutMs: 1000 });
        await conn.end();
        return true;
      },
      { what: `${daemon} in ${this.host.name} to answer SQL on ${this.host.paths.socket}`, timeoutMs, intervalMs: 50 },
    );
  }

  /** The end of the server's error log, for error messages. */
  errorLogTail(lines = 15): string {
    const file = join(this.host.paths.logs, 'mysqld.err');
    if (!existsSync(file)) return `(no ${file})`;
    return `last lines of ${file}:\n${readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n')}`;
  }

  /** SIGTERM (clean shutdown, also when paused) and wait for the exit; SIGKILL after `timeoutMs`. */
  async stop(timeoutMs = 60_000): Promise<void> {
    const proc = this.takeProcess('stop');
    await proc.stop(timeoutMs);
  }

  /** SIGKILL: a crash; InnoDB recovers on the next start (the harness's kill is never restarted by it). */
  async kill(): Promise<void> {
    const proc = this.takeProcess('kill');
    await proc.kill();
  }

  /** SIGSTOP: a hung server that still holds its connections and port. */
  pause(): void {
    this.requireProcess('pause').signal('SIGSTOP');
  }

  resume(): void {
    this.requireProcess('resume').signal('SIGCONT');
  }

  /** The running process, no longer ours to watch: its exit is the harness's doing, not a reason to restart. */
  private takeProcess(verb: string): ManagedProcess {
    this.restarts.cancelPending();
    const proc = this.requireProcess(verb);
    this.process = null;
    return proc;
  }

  private requireProcess(verb: string): ManagedProcess {
    const proc = this.process;
    if (proc === null || !proc.alive) throw new Error(`failed to ${verb} ${this.deps.image.daemon} in ${this.host.name}: it is not running`);
    return proc;
  }

  /** The pod is going: forget the process (the pod kills it) and never start it again. */
  forget(): void {
    this.restarts.close();
    this.process = null;
  }
}
