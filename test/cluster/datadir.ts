import { existsSync, mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { INNODB_LOG_FILE_SIZE } from './mysql-files.js';

/**
 * First-boot data dirs. mariadb-install-db takes ~0.8 s; copying an
 * initialised template takes ~0.1 s, so each machine builds one template per
 * server version under the cluster root and every new empty pod gets a copy.
 * Templates hold no password: the pod's first start sets it (--init-file).
 */

/** Arguments the MariaDB image's entrypoint gives mariadb-install-db, minus the datadir. */
export const INSTALL_DB_ARGS = [
  '--user=root',
  '--auth-root-authentication-method=normal',
  '--skip-test-db',
  '--skip-log-bin',
];

let versionPromise: Promise<string> | undefined;

export function serverVersion(): Promise<string> {
  versionPromise ??= execa('mariadbd', ['--version']).then((r) => {
    const match = /Ver\s+(\S+)/.exec(r.stdout);
    if (match?.[1] === undefined) throw new Error(`failed to read the server version from: ${r.stdout}`);
    return match[1];
  });
  return versionPromise;
}

/** Returns the MariaDB template for the host's server version, building it if needed. */
export async function ensureTemplate(root: string): Promise<string> {
  const dir = join(root, 'templates', `mariadb-${await serverVersion()}-log${INNODB_LOG_FILE_SIZE}`);
  return buildOnce(dir, async (tmp) => {
    // hostname `localhost` in a private UTS namespace: install-db then creates
    // no root@<build machine> account that would end up in every pod.
    const script = 'hostname localhost && exec "$@"';
    const installDb = ['mariadb-install-db', '--no-defaults', `--datadir=${tmp}`, ...INSTALL_DB_ARGS];
    const result = await execa('unshare', ['--uts', '--', 'sh', '-c', script, 'sh', ...installDb,
      `--innodb-log-file-size=${INNODB_LOG_FILE_SIZE}`], { reject: false, all: true, timeout: 60_000 });
    if (result.exitCode !== 0) throw new Error(`failed to build the template data dir: ${result.all ?? ''}`);
  });
}

/**
 * Makes `dir` once per machine with `build(tmp)`. Built in a temp dir and
 * renamed into place, so concurrent clusters (parallel test files) never see
 * half a template; the loser of a race drops its copy.
 */
export async function buildOnce(dir: string, build: (tmp: string) => Promise<void>): Promise<string> {
  if (existsSync(dir)) return dir;
  const tmp = join(dirname(dir), `.build-${process.pid}-${randomBytes(3).toString('hex')}`);
  mkdirSync(tmp, { recursive: true });
  try {
    await build(tmp);
    try {
      renameSync(tmp, dir);
    } catch (err) {
      if (!existsSync(dir)) throw err; // another process won the race otherwise
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

/**
 * Copies the template's contents into `dataDir` (which stays: it is a mount
 * point), without `perPodFiles`: what the server must make for itself on its
 * first start (MySQL's auto.cnf holds the server_uuid, which replication
 * requires to differ between servers).
 */
export async function copyTemplate(template: string, dataDir: string, perPodFiles: readonly string[] = []): Promise<void> {
  await execa('cp', ['-a', '--reflink=auto', `${template}/.`, `${dataDir}/`], { timeout: 60_000 });
  for (const file of perPodFiles) rmSync(join(dataDir, file), { force: true });
}

/** Empties a data dir in place (the directory is bind-mounted in the pod, so it must stay). */
export function emptyDir(dir: string): void {
  if (!existsSync(dir)) {
    mkdirSync(dir, { recursive: true });
    return;
  }
  for (const entry of readdirSync(dir)) rmSync(join(dir, entry), { recursive: true, force: true });
}
