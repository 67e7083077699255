import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Flavor } from './server-version.js';

/**
 * Which flavour the pod runs, when configuration says `auto` and no server can
 * be asked (the init container runs before it). A data dir says it by its
 * files; an empty one cannot, and then the image's backup tool decides, which
 * must match the server. The sidecar asks its server instead.
 */
const DATA_DIR_SIGNS: ReadonlyArray<readonly [file: string, flavor: Flavor]> = [
  // MySQL 8.0+ keeps its data dictionary there; MariaDB has no such file.
  ['mysql.ibd', 'mysql'],
  // MariaDB's Aria engine (system tables); MySQL has no Aria.
  ['aria_log_control', 'mariadb'],
];

const BACKUP_TOOLS: ReadonlyArray<readonly [tool: string, flavor: Flavor]> = [
  ['mariadb-backup', 'mariadb'],
  ['mariabackup', 'mariadb'],
  ['xtrabackup', 'mysql'],
];

export async function detectFlavor(input: { dataDir: string; searchPath: string | undefined }): Promise<Flavor> {
  for (const [file, flavor] of DATA_DIR_SIGNS) {
    if (await exists(join(input.dataDir, file))) return flavor;
  }
  const found = new Set<Flavor>();
  for (const [tool, flavor] of BACKUP_TOOLS) {
    if (await onPath(tool, input.searchPath)) found.add(flavor);
  }
  const [only, ...others] = [...found];
  if (only === undefined || others.length > 0) {
    const what = only === undefined ? 'the data dir is empty and neither mariadb-backup nor xtrabackup is' : 'both mariadb-backup and xtrabackup are';
    throw new Error(`failed to detect the server flavour: ${what} on PATH; set MYSQL_FLAVOR to mysql or mariadb`);
  }
  return only;
}

async function onPath(tool: string, searchPath: string | undefined): Promise<boolean> {
  for (const dir of (searchPath ?? '').split(delimiter).filter(Boolean)) {
    if (await exists(join(dir, tool), constants.X_OK)) return true;
  }
  return false;
}

async function exists(path: string, mode = constants.F_OK): Promise<boolean> {
  try {
    await access(path, mode);
    return true;
  } catch {
    return false;
  }
}
