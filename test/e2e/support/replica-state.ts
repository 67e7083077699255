import type { Pod } from '../../cluster/pod.js';
import { operatorSql } from '../../support/server-sql.js';
import type { E2eServer } from './servers.js';

/**
 * What a scenario reads from a server about replication, in each server's
 * own words, written out here rather than taken from the agent: GTID
 * positions (MariaDB `domain-server-seq` lists, MySQL `uuid:interval` sets,
 * which MySQL compares with GTID_SUBSET/GTID_SUBTRACT) and the replication
 * threads' columns.
 */

/** Everything the primary has written, as its GTID position (MySQL's line breaks removed). */
export async function primaryPosition(server: E2eServer, primary: Pod): Promise<string> {
  return positionText(primary, operatorSql(server.flavor).gtidPosition);
}

/** The replica has applied every transaction of `position`. */
export async function hasApplied(server: E2eServer, replica: Pod, position: string): Promise<boolean> {
  if (server.flavor === 'mariadb') return (await positionText(replica, 'SELECT @@gtid_slave_pos AS position')) === position;
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
export async function replicationThreads(server: E2eServer, replica: Pod): Promise<[string, string, number, string]> {
  const [status] = await replica.query(operatorSql(server.flavor).replicaStatus);
  if (status === undefined) throw new Error(`${replica.name} has no replication configured`);
  const word = server.flavor === 'mariadb' ? 'Slave' : 'Replica';
  return [String(status[`${word}_IO_Running`]), String(status[`${word}_SQL_Running`]), Number(status['Last_IO_Errno']), String(status['Last_IO_Error'])];
}

async function positionText(pod: Pod, statement: string): Promise<string> {
  const [row] = await pod.query<{ position: string | null }>(statement);
  return String(row?.position ?? '').replace(/\s+/g, '');
}
