import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { join } from 'node:path';
import { waitFor } from '../cluster/wait.js';

/** A mariadbd of the machine's packages on a unix socket in `dir`, for tests that need one real server and no pod. */
export interface ThrowawayMariadb {
  readonly dataDir: string;
  readonly socket: string;
  /** Runs statements as `user` through the socket; returns the tab-separated rows. */
  sql(statement: string, user?: string): string;
  /** SIGTERM, SIGKILL after 20 s; by PID. */
  stop(): Promise<void>;
}

/** `mariadb-install-db` into `dataDir` unless it is given a data dir already prepared (a restored backup), then starts the server. */
export async function startThrowawayMariadb(dir: string, options: { dataDir?: string; args?: readonly string[] } = {}): Promise<ThrowawayMariadb> {
  const dataDir = options.dataDir ?? join(dir, 'data');
  const socket = join(dir, `mysqld-${process.pid}-${Date.now()}.sock`);
  if (options.dataDir === undefined) {
    execFileSync('mariadb-install-db', ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=socket'], { stdio: 'ignore' });
  }
  const server: ChildProcess = spawn(
    'mariadbd',
    ['--no-defaults', '--user=root', `--datadir=${dataDir}`, `--socket=${socket}`, '--skip-networking', `--pid-file=${socket}.pid`, ...(options.args ?? [])],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let log = '';
  server.stderr?.on('data', (chunk: Buffer) => {
    log += chunk.toString();
  });
  const sql = (statement: string, user = 'root') =>
    execFileSync('mariadb', ['--no-defaults', `--user=${user}`, `--socket=${socket}`, '-N', '-B', '-e', statement], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  const exited = new Promise<never>((_, reject) => server.once('exit', (code) => reject(new Error(`mariadbd exited with ${code}: ${log.slice(-2000)}`))));
  exited.catch(() => undefined);
  await Promise.race([exited, waitFor(async () => (sql('SELECT 1') === '1' ? true : undefined), { what: 'mariadbd to answer', timeoutMs: 60_000 })]);
  return {
    dataDir,
    socket,
    sql,
    async stop() {
      if (server.pid === undefined || server.exitCode !== null) return;
      const gone = new Promise((resolve) => server.once('exit', resolve));
      process.kill(server.pid, 'SIGTERM');
      await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 20_000))]);
      if (server.exitCode === null && server.signalCode === null) process.kill(server.pid, 'SIGKILL');
    },
  };
}
