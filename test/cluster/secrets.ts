import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { renderClientOptionFile } from './mysql-files.js';

/**
 * The cluster's root password, kept in 0600 files only: tools get it through
 * an option file, the server through an init file, never through argv.
 */
export interface ClusterSecrets {
  dir: string;
  rootPassword: string;
  /** The password alone (like a mounted Kubernetes Secret). */
  rootPasswordFile: string;
  /** `[client] user=root password=…` for `mariadb --defaults-extra-file=`. */
  clientOptionFile: string;
}

export function generatePassword(): string {
  return randomBytes(18).toString('base64url');
}

export function secretsPaths(clusterDir: string): Omit<ClusterSecrets, 'rootPassword'> {
  const dir = join(clusterDir, 'secrets');
  return { dir, rootPasswordFile: join(dir, 'root-password'), clientOptionFile: join(dir, 'client.cnf') };
}

export function writeSecrets(clusterDir: string, rootPassword: string): ClusterSecrets {
  const paths = secretsPaths(clusterDir);
  mkdirSync(paths.dir, { recursive: true, mode: 0o700 });
  writeFileSync(paths.rootPasswordFile, rootPassword, { mode: 0o600 });
  writeFileSync(paths.clientOptionFile, renderClientOptionFile(rootPassword), { mode: 0o600 });
  return { ...paths, rootPassword };
}

export function readSecrets(clusterDir: string): ClusterSecrets {
  const paths = secretsPaths(clusterDir);
  return { ...paths, rootPassword: readFileSync(paths.rootPasswordFile, 'utf8') };
}

/** The pending init file of a pod: present from data dir creation until the password is confirmed. */
export function initFilePath(clusterDir: string, podName: string): string {
  return join(secretsPaths(clusterDir).dir, `init-${podName}.sql`);
}
