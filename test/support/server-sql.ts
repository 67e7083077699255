import type { Pod } from '../cluster/pod.js';
import { parseReplicaStatus, type ReplicaStatus } from '../../src/mysql/replica-status.js';
import { parseServerVersion, type Flavor, type ServerVersion } from '../../src/mysql/server-version.js';

/**
 * The statements a test types by hand on a pod, as an operator would, in the
 * words of the pod's server: MariaDB 10.11 (`SLAVE`, `MASTER_DELAY`) or MySQL
 * 8.4/9.7 (`REPLICA`, `SOURCE_DELAY`; the old words are gone). Written out here
 * rather than taken from the agent's dialect, so a test does not check the
 * agent against itself.
 */
export interface OperatorSql {
  readonly flavor: Flavor;
  readonly stopReplica: string;
  readonly startReplica: string;
  readonly stopIoThread: string;
  readonly startIoThread: string;
  readonly stopSqlThread: string;
  readonly startSqlThread: string;
  readonly replicaStatus: string;
  /** The columns of `replicaStatus` that hold the threads' state (the other columns are named alike). */
  readonly threadColumns: { readonly io: string; readonly sql: string };
  setDelay(seconds: number): string;
  /** Everything the server has applied or written, as a GTID position. */
  readonly gtidPosition: string;
  /** The GTID position a stopped replica asks its source to send from (column `position`). */
  readonly replicaPosition: string;
  /** The binlog file the server writes now (column `File`). */
  readonly binlogStatus: string;
  /** What root runs before it can write on a replica around replication (MySQL's super_read_only binds root too). */
  readonly allowRootWrites: readonly string[];
}

const MARIADB: OperatorSql = {
  flavor: 'mariadb',
  stopReplica: 'STOP SLAVE',
  startReplica: 'START SLAVE',
  stopIoThread: 'STOP SLAVE IO_THREAD',
  startIoThread: 'START SLAVE IO_THREAD',
  stopSqlThread: 'STOP SLAVE SQL_THREAD',
  startSqlThread: 'START SLAVE SQL_THREAD',
  replicaStatus: 'SHOW SLAVE STATUS',
  threadColumns: { io: 'Slave_IO_Running', sql: 'Slave_SQL_Running' },
  setDelay: (seconds) => `CHANGE MASTER TO MASTER_DELAY = ${Math.trunc(seconds)}`,
  gtidPosition: 'SELECT @@gtid_binlog_pos AS position',
  replicaPosition: 'SELECT @@gtid_slave_pos AS position',
  binlogStatus: 'SHOW MASTER STATUS',
  allowRootWrites: [],
};

const MYSQL: OperatorSql = {
  flavor: 'mysql',
  stopReplica: 'STOP REPLICA',
  startReplica: 'START REPLICA',
  stopIoThread: 'STOP REPLICA IO_THREAD',
  startIoThread: 'START REPLICA IO_THREAD',
  stopSqlThread: 'STOP REPLICA SQL_THREAD',
  startSqlThread: 'START REPLICA SQL_THREAD',
  replicaStatus: 'SHOW REPLICA STATUS',
  threadColumns: { io: 'Replica_IO_Running', sql: 'Replica_SQL_Running' },
  setDelay: (seconds) => `CHANGE REPLICATION SOURCE TO SOURCE_DELAY = ${Math.trunc(seconds)}`,
  gtidPosition: 'SELECT @@gtid_executed AS position',
  // Auto-positioning sends gtid_executed (with what the relay log already holds).
  replicaPosition: 'SELECT @@gtid_executed AS position',
  binlogStatus: 'SHOW BINARY LOG STATUS',
  allowRootWrites: ['SET GLOBAL super_read_only = OFF, read_only = OFF'],
};

export function operatorSql(flavor: Flavor): OperatorSql {
  return flavor === 'mariadb' ? MARIADB : MYSQL;
}

/** A server the integration tests run every case on, and the overlay whose pods run it. */
export interface ServerCase {
  /** As test names show it. */
  readonly server: string;
  readonly overlay: string;
  readonly flavor: Flavor;
  /** `major.minor` of the server the overlay's image runs. */
  readonly version: string;
}

export const SERVER_CASES: readonly ServerCase[] = [
  { server: 'MariaDB 10.11', overlay: 'k8s/overlays/mariadb-10.11', flavor: 'mariadb', version: '10.11' },
  { server: 'MySQL 9.7', overlay: 'k8s/overlays/mysql-9.7', flavor: 'mysql', version: '9.7' },
];

export async function serverVersionOf(pod: Pod): Promise<ServerVersion> {
  const [row] = await pod.query<{ version: string }>('SELECT VERSION() AS version');
  return parseServerVersion(String(row?.version));
}

/** The pod's replication status in one shape for both servers, or undefined when none is configured. */
export async function replicaStatusOf(pod: Pod): Promise<ReplicaStatus | undefined> {
  const { flavor } = await serverVersionOf(pod);
  const [row] = await pod.query(operatorSql(flavor).replicaStatus);
  return parseReplicaStatus(row, flavor);
}

/** A scalar the server computes, as text ('' for NULL). */
export async function selectText(pod: Pod, expression: string): Promise<string> {
  const [row] = await pod.query<{ value: unknown }>(`SELECT ${expression} AS value`);
  return row?.value === null || row?.value === undefined ? '' : String(row.value);
}

/** The position `operatorSql(…).replicaPosition` or `.gtidPosition` names, without the line breaks MySQL puts in long sets. */
export async function positionOf(pod: Pod, statement: string): Promise<string> {
  const [row] = await pod.query<{ position: string | null }>(statement);
  return String(row?.position ?? '').replace(/\s+/g, '');
}

/** What a server puts in the GTIDs it writes itself: MariaDB its server_id, MySQL its server_uuid. */
export async function gtidSourceOf(pod: Pod, flavor: Flavor): Promise<string> {
  return selectText(pod, flavor === 'mariadb' ? '@@server_id' : '@@server_uuid');
}

/**
 * The GTIDs a server wrote itself (not replicated), as it records them:
 * MariaDB the last one of its server_id per domain (`gtid_binlog_state`),
 * MySQL the intervals of its server_uuid (`gtid_executed`). '' when none.
 */
export async function ownGtidsOf(pod: Pod, flavor: Flavor): Promise<string> {
  const source = await gtidSourceOf(pod, flavor);
  return ownGtidsIn(flavor, await selectText(pod, flavor === 'mariadb' ? '@@gtid_binlog_state' : '@@gtid_executed'), source);
}

/** The part of a GTID list (MariaDB `d-s-n,…`) or set (MySQL `uuid:a-b:c,…`) that `source` wrote. */
export function ownGtidsIn(flavor: Flavor, history: string, source: string): string {
  const entries = history.replace(/\s+/g, '').split(',');
  const own = flavor === 'mariadb' ? entries.filter((gtid) => gtid.split('-')[1] === source) : entries.filter((set) => set.startsWith(`${source}:`));
  return own.join(',');
}

/** A GTID position of transactions from one source only (`gtidSourceOf`), as each server prints it (MariaDB: domain 0). */
export function positionOnlyFrom(flavor: Flavor, source: string): RegExp {
  return flavor === 'mariadb' ? new RegExp(`^0-${source}-\\d+$`) : new RegExp(`^${source}:1-\\d+$`);
}

/** What `ownGtidsOf` shows after a server's first write of its own: MariaDB its last GTID in domain 0, MySQL transaction 1 of its UUID. */
export function firstOwnWrite(flavor: Flavor, source: string): RegExp {
  return flavor === 'mariadb' ? new RegExp(`^0-${source}-\\d+$`) : new RegExp(`^${source}:1$`);
}
