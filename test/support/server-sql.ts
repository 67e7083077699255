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
  setDelay(seconds: number): string;
  /** Everything the server has applied or written, as a GTID position. */
  readonly gtidPosition: string;
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
  setDelay: (seconds) => `CHANGE MASTER TO MASTER_DELAY = ${Math.trunc(seconds)}`,
  gtidPosition: 'SELECT @@gtid_binlog_pos AS position',
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
  setDelay: (seconds) => `CHANGE REPLICATION SOURCE TO SOURCE_DELAY = ${Math.trunc(seconds)}`,
  gtidPosition: 'SELECT @@gtid_executed AS position',
};

export function operatorSql(flavor: Flavor): OperatorSql {
  return flavor === 'mariadb' ? MARIADB : MYSQL;
}

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
