import { ER_SERVER_SOURCE_FATAL_ERROR_READING_BINLOG, ER_SOURCE_FATAL_ERROR_READING_BINLOG } from './error-numbers.js';
import type { Flavor } from './server-version.js';

/** One shape for SHOW REPLICA/SLAVE STATUS of every supported version. */
export interface ReplicaStatus {
  readonly ioRunning: boolean;
  /** Yes / No / Connecting, as the server says it. */
  readonly ioState: string;
  readonly sqlRunning: boolean;
  readonly sourceHost: string;
  readonly sourcePort: number;
  readonly secondsBehind: number | null;
  readonly lastIoErrno: number;
  readonly lastIoError: string;
  readonly lastSqlErrno: number;
  readonly lastSqlError: string;
  readonly sqlDelay: number;
  /** MariaDB Gtid_IO_Pos / MySQL Retrieved_Gtid_Set. */
  readonly retrievedGtid: string;
  /** MySQL Executed_Gtid_Set; MariaDB has none in this row (gtid_slave_pos holds it). */
  readonly executedGtid: string;
}

type Row = Readonly<Record<string, unknown>>;

/**
 * Reads a status row whichever names it uses: MySQL 8.0.22+ says Replica_* and
 * Source_*, older MySQL and every MariaDB say Slave_* and Master_*.
 * Returns undefined for an empty result (replication never configured).
 */
export function parseReplicaStatus(row: Row | undefined, flavor: Flavor): ReplicaStatus | undefined {
  if (row === undefined) return undefined;
  const pick = (newName: string, oldName: string): unknown => (newName in row ? row[newName] : row[oldName]);
  const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));
  const number = (value: unknown): number => (value === null || value === undefined || value === '' ? 0 : Number(value));
  const ioState = text(pick('Replica_IO_Running', 'Slave_IO_Running'));
  const behind = pick('Seconds_Behind_Source', 'Seconds_Behind_Master');
  return {
    ioRunning: ioState === 'Yes',
    ioState,
    sqlRunning: text(pick('Replica_SQL_Running', 'Slave_SQL_Running')) === 'Yes',
    sourceHost: text(pick('Source_Host', 'Master_Host')),
    sourcePort: number(pick('Source_Port', 'Master_Port')),
    secondsBehind: behind === null || behind === undefined || behind === '' ? null : Number(behind),
    lastIoErrno: number(row.Last_IO_Errno),
    lastIoError: text(row.Last_IO_Error),
    lastSqlErrno: number(row.Last_SQL_Errno),
    lastSqlError: text(row.Last_SQL_Error),
    sqlDelay: number(row.SQL_Delay),
    retrievedGtid: text(flavor === 'mariadb' ? row.Gtid_IO_Pos : row.Retrieved_Gtid_Set).replace(/\s+/g, ''),
    executedGtid: text(row.Executed_Gtid_Set).replace(/\s+/g, ''),
  };
}

/**
 * The source no longer has the binlogs this replica needs (error 1236): a
 * restart cannot fix it. MariaDB and MySQL 5.7 report 1236 itself; MySQL 8.0+
 * wrap it as 13114 with the source's 1236 in the text.
 */
export function isPurgedGap(status: Pick<ReplicaStatus, 'lastIoErrno' | 'lastIoError'>): boolean {
  if (status.lastIoErrno === ER_SOURCE_FATAL_ERROR_READING_BINLOG) return true;
  return status.lastIoErrno === ER_SERVER_SOURCE_FATAL_ERROR_READING_BINLOG && /\berror 1236\b/.test(status.lastIoError);
}
