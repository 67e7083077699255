/**
 * Replication coordinates of a prepared backup. GTID is the truth (the same on
 * every pod); file and position are the donor's own and kept for humans.
 */
export interface Coordinates {
  readonly gtid: string | undefined;
  readonly binlogFile: string;
  readonly binlogPosition: number;
}

/** Files the backup tools write, newest name first: mariabackup 11.1+ renamed it. */
export const BINLOG_INFO_FILES = ['mariadb_backup_binlog_info', 'xtrabackup_binlog_info'] as const;

/**
 * Parses `<file>\t<position>[\t<gtid>]`. XtraBackup writes a MySQL GTID set that
 * may continue over several lines (`uuid:1-5,\nuuid:1-9`); mariabackup writes a
 * MariaDB GTID list (`0-100-42,1-101-7`).
 */
export function parseBinlogInfo(text: string): Coordinates {
  const [first = '', ...rest] = text.split('\n').map((line) => line.trim());
  const [binlogFile = '', position = '', ...gtidParts] = first.split(/\s+/);
  const binlogPosition = Number(position);
  if (binlogFile === '' || !/^\d+$/.test(position) || !Number.isSafeInteger(binlogPosition)) {
    throw new Error(`binlog info ${JSON.stringify(text.slice(0, 200))} is not "<file> <position> [<gtid>]"`);
  }
  const gtid = [gtidParts.join(''), ...rest].join('').replace(/\s+/g, '');
  return { binlogFile, binlogPosition, gtid: gtid === '' ? undefined : gtid };
}
