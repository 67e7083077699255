import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Connection } from 'mysql2/promise';
import { copyTemplate, INSTALL_DB_ARGS } from './datadir.js';
import { renderInitSql } from './mysql-files.js';
import { CONTAINER_PATHS, type PodPaths } from './options.js';
import type { ManagedProcess } from './processes.js';
import { GiveUp, waitFor } from './wait.js';

/**
 * The pod's "server container": what the MariaDB image's entrypoint does
 * (initialise an empty data dir, set the root password) followed by mariadbd
 * running in the pod, plus the signals a test sends it.
 */

/** What the server container needs from its pod. */
export interface ServerHost {
  readonly name: string;
  readonly paths: PodPaths;
  spawnIn(cmd: string, args: string[], label: string): ManagedProcess;
  execIn(cmd: string, args: string[]): Promise<{ exitCode: number; stdout: string; stderr: string }>;
  connect(opts?: { connectTimeoutMs?: number }): Promise<Connection>;
}

export interface ServerDeps {
  rootPassword: string;
  /** Pending init file (0600, outside the pod dirs); see `initFilePath`. */
  initFile: string;
  /** Returns the template data dir, or undefined to run mariadb-install-db in the pod. */
  template: () => Promise<string | undefined>;
}

/** How the last empty data dir was initialised and how long it took. */
export interface DataDirInit {
  method: 'template' | 'install-db';
  ms: number;
}

export class ServerContainer {
  private process: ManagedProcess | null = null;
  lastInit: DataDirInit | undefined;

  constructor(
    private readonly host: ServerHost,
    private readonly deps: ServerDeps,
  ) {}

  get pid(): number | undefined {
    return this.process?.alive === true ? this.process.pid : undefined;
  }

  get running(): boolean {
    return this.process?.alive ?? false;
  }

  /** Initialises the data dir if `mysql/` is missing (as the image does), starts mariadbd, waits for SQL. */
  async start(timeoutMs = 60_000): Promise<void> {
    if (this.running) throw new Error(`failed to start mariadbd in ${this.host.name}: it is already running`);
    await this.ensureDataDir();
    const pending = existsSync(this.deps.initFile);
    const args = [`--defaults-file=${CONTAINER_PATHS.myCnf}`, '--user=root'];
    if (pending) args.push(`--init-file=${this.deps.initFile}`);
    const proc = this.host.spawnIn('mariadbd', args, 'mysqld');
    this.process = proc;
    await this.waitForSql(proc, timeoutMs);
    // The password works now: the init file has done its job and must not run again.
    if (pending) rmSync(this.deps.initFile, { force: true });
  }

  private async ensureDataDir(): Promise<void> {
    const { paths } = this.host;
    if (existsSync(join(paths.data, 'mysql'))) return;
    const started = Date.now();
    const template = await this.deps.template();
    if (template !== undefined) {
      await copyTemplate(template, paths.data);
    } else {
      const result = await this.host.execIn('mariadb-install-db', [`--defaults-file=${CONTAINER_PATHS.myCnf}`, ...INSTALL_DB_ARGS]);
      if (result.exitCode !== 0) {
        throw new Error(`failed to initialise the data dir of ${this.host.name}: ${result.stderr || result.stdout}`);
      }
    }
    writeFileSync(this.deps.initFile, renderInitSql(this.deps.rootPassword), { mode: 0o600 });
    this.lastInit = { method: template !== undefined ? 'template' : 'install-db', ms: Date.now() - started };
  }

  private async waitForSql(proc: ManagedProcess, timeoutMs: number): Promise<void> {
    await waitFor(
      async () => {
        if (!proc.alive) throw new GiveUp(new Error(`failed to start mariadbd in ${this.host.name}: it exited\n${this.errorLogTail()}`));
        const conn = await this.host.connect({ connectTimeoutMs: 1000 });
        await conn.end();
        return true;
      },
      { what: `mariadbd in ${this.host.name} to answer SQL on ${this.host.paths.socket}`, timeoutMs, intervalMs: 50 },
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
    const proc = this.requireProcess('stop');
    await proc.stop(timeoutMs);
    this.process = null;
  }

  /** SIGKILL: a crash; InnoDB recovers on the next start. */
  async kill(): Promise<void> {
    const proc = this.requireProcess('kill');
    await proc.kill();
    this.process = null;
  }

  /** SIGSTOP: a hung server that still holds its connections and port. */
  pause(): void {
    this.requireProcess('pause').signal('SIGSTOP');
  }

  resume(): void {
    this.requireProcess('resume').signal('SIGCONT');
  }

  private requireProcess(verb: string): ManagedProcess {
    const proc = this.process;
    if (proc === null || !proc.alive) throw new Error(`failed to ${verb} mariadbd in ${this.host.name}: it is not running`);
    return proc;
  }

  /** Forget the process after the pod killed it. */
  forget(): void {
    this.process = null;
  }
}
