import { access, constants } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import type { Flavor } from './server-version.js';

/**
 * Which flavour the pod runs, when configuration says `auto`. The init
 * container cannot ask the server (it is not running yet), but its image ships
 * exactly one backup tool, and that tool must match the server.
 */
const BACKUP_TOOLS: ReadonlyArray<readonly [tool: string, flavor: Flavor]> = [
  ['mariadb-backup', 'mariadb'],
  ['mariabackup', 'mariadb'],
  ['xtrabackup', 'mysql'],
];

export async function detectFlavor(searchPath: string | undefined): Promise<Flavor> {
  const found = new Set<Flavor>();
  for (const [tool, flavor] of BACKUP_TOOLS) {
    if (await onPath(tool, searchPath)) found.add(flavor);
  }
  const [only, ...others] = [...found];
  if (only === undefined || others.length > 0) {
    const what = only === undefined ? 'neither mariadb-backup nor xtrabackup is' : 'both mariadb-backup and xtrabackup are';
    throw new Error(`failed to detect the server flavour: ${what} on PATH; set MYSQL_FLAVOR to mysql or mariadb`);
  }
  return only;
}

async function onPath(tool: string, searchPath: string | undefined): Promise<boolean> {
  for (const dir of (searchPath ?? '').split(delimiter).filter(Boolean)) {
    try {
      await access(join(dir, tool), constants.X_OK);
      return true;
    } catch {
      // not in this directory; keep looking
    }
  }
  return false;
}
