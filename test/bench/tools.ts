import { mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { backupCommand, extractCommand, prepareCommand, renderOptionFile } from '../../src/clone/backup-tool.js';
import type { Cluster } from '../cluster/index.js';
import { renderCommand } from './shell.js';

/**
 * The baselines run the very command lines the agent runs (built by
 * src/clone/backup-tool.ts), so only the transport differs between methods:
 * same --parallel for the backup and the extractor, same --log-copy-interval,
 * same prepare.
 */

/** The agent's default CLONE_PARALLEL, passed to it explicitly so the baselines cannot drift from it. */
export const PARALLEL = 2;
/** The pod's volume as its containers see it (the agent's DATA_DIR default). */
export const POD_DATA_DIR = '/var/lib/mysql';
const MYSQL_PORT = 3306;

export interface Tools {
  /** `mariadb-backup --backup --stream=xbstream …` reading mysql-0's data dir; `scratchDir` must exist. */
  backup(scratchDir: string): string;
  extract(dir: string): string;
  prepare(dir: string): string;
  /** The flags that make the comparison fair, for the printout. */
  readonly sharedFlags: string;
}

/**
 * Writes the 0600 option file the backup tool reads its credentials from (as
 * the donor does: root over TCP to 127.0.0.1 inside the pod), in a 0700 dir
 * under the cluster dir, so it goes when the cluster goes down.
 */
export async function createTools(cluster: Cluster): Promise<Tools> {
  const dir = await mkdtemp(join(cluster.dir, 'bench-secrets-')); // mkdtemp makes it 0700
  const optionFile = join(dir, 'client.cnf');
  const text = renderOptionFile({ group: 'client', user: 'root', password: cluster.secrets.rootPassword, host: '127.0.0.1', port: MYSQL_PORT });
  await writeFile(optionFile, text, { mode: 0o600, flag: 'wx' });
  const backupArgs = (scratchDir: string) => backupCommand({ flavor: 'mariadb', optionFile, dataDir: POD_DATA_DIR, scratchDir, parallel: PARALLEL });
  return {
    backup: (scratchDir) => renderCommand(backupArgs(scratchDir)),
    extract: (target) => renderCommand(extractCommand('mariadb', target, PARALLEL)),
    prepare: (target) => renderCommand(prepareCommand('mariadb', target)),
    sharedFlags: backupArgs('x')
      .args.filter((arg) => arg.startsWith('--parallel') || arg.startsWith('--log-copy-interval'))
      .join(' '),
  };
}
