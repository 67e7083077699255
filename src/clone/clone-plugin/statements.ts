import type { Statement } from '../../mysql/dialect.js';

/**
 * MySQL's CLONE plugin as the recipient drives it, in SQL (pure, so it is
 * unit-tested; exercised against MySQL 9.7 by the integration tests).
 */

/** The only donor the recipient's server will accept for the next clone: this set's pod, by its stable name. */
export function validDonorStatement(donor: { host: string; port: number }): Statement {
  return { sql: 'SET GLOBAL clone_valid_donor_list = ?', params: [`${donor.host}:${donor.port}`] };
}

/**
 * Replaces this server's data with the donor's. The connection to the donor is
 * always encrypted (MySQL 8 servers generate their certificates at first boot);
 * the password goes to the server in the statement, never to argv or a log.
 */
export function cloneInstanceStatement(donor: { host: string; port: number; user: string; password: string }): Statement {
  return { sql: 'CLONE INSTANCE FROM ?@?:? IDENTIFIED BY ? REQUIRE SSL', params: [donor.user, donor.host, donor.port, donor.password] };
}

export const CLONE_STATUS_QUERY =
  'SELECT STATE AS state, SOURCE AS source, BEGIN_TIME AS beginTime, END_TIME AS endTime, ERROR_NO AS errorNo, ' +
  'ERROR_MESSAGE AS errorMessage, BINLOG_FILE AS binlogFile, BINLOG_POSITION AS binlogPosition, GTID_EXECUTED AS gtidExecuted ' +
  'FROM performance_schema.clone_status ORDER BY ID DESC LIMIT 1';

export const CLONE_PROGRESS_QUERY =
  'SELECT STAGE AS stage, STATE AS state, ESTIMATE AS estimate, DATA AS data, DATA_SPEED AS dataSpeed FROM performance_schema.clone_progress ORDER BY ID';

/** User databases on a server: a server about to be cloned over must have none (the clone drops them). */
export const USER_SCHEMAS_QUERY =
  "SELECT SCHEMA_NAME AS name FROM information_schema.SCHEMATA WHERE SCHEMA_NAME NOT IN ('mysql', 'information_schema', 'performance_schema', 'sys') ORDER BY 1";

/** The last clone of this server, as performance_schema.clone_status keeps it (across the restart that finishes a clone). */
export interface ClonePluginStatus {
  readonly state: 'Not Started' | 'In Progress' | 'Completed' | 'Failed' | string;
  /** `host:port` as CLONE INSTANCE named it. */
  readonly source: string;
  readonly beginTime: string;
  readonly endTime: string | undefined;
  readonly errorNo: number;
  readonly errorMessage: string;
  readonly binlogFile: string;
  readonly binlogPosition: number;
  readonly gtidExecuted: string;
}

type Row = Readonly<Record<string, unknown>>;

const text = (value: unknown): string => (value === null || value === undefined ? '' : String(value));

export function parseCloneStatus(row: Row | undefined): ClonePluginStatus | undefined {
  if (row === undefined) return undefined;
  return {
    state: text(row.state),
    source: text(row.source),
    beginTime: text(row.beginTime),
    endTime: row.endTime === null || row.endTime === undefined ? undefined : text(row.endTime),
    errorNo: Number(row.errorNo ?? 0),
    errorMessage: text(row.errorMessage),
    binlogFile: text(row.binlogFile),
    binlogPosition: Number(row.binlogPosition ?? 0),
    gtidExecuted: text(row.gtidExecuted).replace(/\s+/g, ''),
  };
}

/** Where a clone is, summed over its stages (drop data, file copy, page copy, redo copy, sync, restart, recovery). */
export interface ClonePluginProgress {
  /** The first stage not completed yet, or `done`. */
  readonly stage: string;
  readonly bytes: number;
  readonly estimatedBytes: number;
  /** Bytes per second of the stage in progress (0 between stages). */
  readonly bytesPerSecond: number;
}

export function summariseProgress(rows: readonly Row[]): ClonePluginProgress | undefined {
  if (rows.length === 0) return undefined;
  const current = rows.find((row) => text(row.state) !== 'Completed');
  return {
    stage: current === undefined ? 'done' : text(current.stage).toLowerCase(),
    bytes: rows.reduce((sum, row) => sum + Number(row.data ?? 0), 0),
    estimatedBytes: rows.reduce((sum, row) => sum + Number(row.estimate ?? 0), 0),
    bytesPerSecond: current === undefined ? 0 : Number(current.dataSpeed ?? 0),
  };
}

/** Seconds between clone_status's BEGIN_TIME and END_TIME (server-local `YYYY-MM-DD hh:mm:ss.fff`, one clock). */
export function cloneSeconds(status: Pick<ClonePluginStatus, 'beginTime' | 'endTime'>): number {
  if (status.endTime === undefined) return 0;
  const at = (value: string) => Date.parse(`${value.replace(' ', 'T')}Z`);
  const seconds = (at(status.endTime) - at(status.beginTime)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : 0;
}

/** The pod name in clone_status's SOURCE (`<pod>.<service>…:<port>`). */
export function donorOf(status: Pick<ClonePluginStatus, 'source'> | undefined): string | undefined {
  if (status === undefined || status.source === '') return undefined;
  return status.source.split(':')[0]?.split('.')[0];
}
