import type { Pod } from '../../cluster/pod.js';
import { replicationRowOf } from '../../support/pod-probes.js';
import { operatorSql, positionOf } from '../../support/server-sql.js';
import type { E2eServer } from './servers.js';

/**
 * What scenario 8 reads from a server about replication, in each server's own
 * words: GTID positions (MariaDB `domain-server-seq` lists compared as text,
 * MySQL `uuid:interval` sets compared with GTID_SUBSET/GTID_SUBTRACT) and the
 * replication threads.
 */

/** Everything the primary has written, as its GTID position. */
export async function primaryPosition(server: E2eServer, primary: Pod): Promise<string> {
  return positionOf(primary, operatorSql(server.flavor).gtidPosition);
}

/** The replica has applied every transaction of `position`. */
export async function hasApplied(server: E2eServer, replica: Pod, position: string): Promise<boolean> {
  if (server.flavor === 'mariadb') return (await positionOf(replica, operatorSql(server.flavor).replicaPosition)) === position;
  const [row] = await replica.query<{ applied: number }>('SELECT GTID_SUBSET(?, @@gtid_executed) AS applied', [position]);
  return Number(row?.applied) === 1;
}

/** The replica has every transaction of `position`, applied or only in its relay log. */
export async function hasReceived(server: E2eServer, replica: Pod, position: string): Promise<boolean> {
  const [status] = await replica.query(operatorSql(server.flavor).replicaStatus);
  if (server.flavor === 'mariadb') return String(status?.['Gtid_IO_Pos']) === position;
  // Retrieved_Gtid_Set holds only what the channel fetched since it began; the rest is in gtid_executed.
  const retrieved = String(status?.['Retrieved_Gtid_Set'] ?? '');
  const [row] = await replica.query<{ missing: string }>('SELECT GTID_SUBTRACT(GTID_SUBTRACT(?, @@gtid_executed), ?) AS missing', [position, retrieved]);
  return row?.missing === '';
}

/** The replication threads as SHOW SLAVE/REPLICA STATUS shows them: [IO running, SQL running, last IO errno, last IO error]. */
export async function replicationThreads(replica: Pod): Promise<[string, string, number, string]> {
  const row = await replicationRowOf(replica);
  return [row.ioRunning, row.sqlRunning, row.lastIoErrno, row.lastIoError];
}
