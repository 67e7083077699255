import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Workload } from './manifest.js';
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

/** Env names the server images read their root password from (MariaDB's and MySQL's entrypoints). */
const ROOT_PASSWORD_VARIABLES = new Set(['MYSQL_ROOT_PASSWORD', 'MARIADB_ROOT_PASSWORD']);

/** The Secret key the server container takes its root password from; it gets the cluster's root password. */
export function rootPasswordKey(workload: Workload): { secretName: string; key: string } {
  for (const container of workload.pod.containers) {
    for (const variable of container.env ?? []) {
      const ref = variable.valueFrom?.secretKeyRef;
      if (ROOT_PASSWORD_VARIABLES.has(variable.name) && ref !== undefined) return { secretName: ref.name ?? '', key: ref.key };
    }
  }
  throw new Error('no container of the StatefulSet takes MYSQL_ROOT_PASSWORD or MARIADB_ROOT_PASSWORD from a Secret: the server image could not initialise mysql-0');
}

export function secretVolumeDir(clusterDir: string, secretName: string): string {
  return join(secretsPaths(clusterDir).dir, 'volumes', secretName);
}

/**
 * Every Secret of the manifests as a dir of 0600 files, one per key, like a
 * secret volume: the root password where the server takes it from, random
 * values elsewhere (the manifests' example values are never used).
 */
export function writeSecretVolumes(clusterDir: string, workload: Workload, rootPassword: string): void {
  const root = rootPasswordKey(workload);
  for (const [secretName, keys] of workload.secrets) {
    const dir = secretVolumeDir(clusterDir, secretName);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    for (const key of keys) {
      const value = secretName === root.secretName && key === root.key ? rootPassword : generatePassword();
      writeFileSync(join(dir, key), value, { mode: 0o600, flag: 'wx' });
    }
  }
}

/** A Secret's value, as the kubelet would put it into an env variable. */
export function readSecretValue(clusterDir: string, secretName: string, key: string): string {
  try {
    return readFileSync(join(secretVolumeDir(clusterDir, secretName), key), 'utf8');
  } catch (error) {
    throw new Error(`secret ${secretName} has no key ${key} in the manifests`, { cause: error });
  }
}
