import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { tableFile } from './load.js';

/**
 * Untimed check after every run that the method did the whole job: a fast
 * time for an empty or unprepared dir would be a lie in the table.
 */
export async function checkPrepared(dir: string, sourceIbdBytes: number): Promise<void> {
  const ibd = await stat(tableFile(dir)).catch(() => undefined);
  if (ibd === undefined) throw new Error(`${tableFile(dir)} is missing: the copy is incomplete`);
  if (ibd.size < sourceIbdBytes) {
    throw new Error(`${tableFile(dir)} has ${ibd.size} bytes, the source ${sourceIbdBytes}: the copy is incomplete`);
  }
  // mariadb-backup --prepare rewrites backup_type from full-backuped to log-applied once the redo log is applied.
  const checkpoints = await readFile(join(dir, 'xtrabackup_checkpoints'), 'utf8').catch(() => '');
  if (!/backup_type\s*=\s*log-applied/.test(checkpoints)) {
    throw new Error(`${dir}/xtrabackup_checkpoints does not say log-applied: the backup was not prepared`);
  }
}
