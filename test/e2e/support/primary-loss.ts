import type { Connection } from 'mysql2/promise';
import type { Pod } from '../../cluster/pod.js';
import { waitFor } from '../../cluster/wait.js';
import { hasApplied, hasReceived, primaryPosition } from './replica-state.js';
import type { E2eServer } from './servers.js';

/**
 * Scenario 8's set-up: a laggard replica that receives everything but
 * applies none of `table`'s rows, and a moment when every transaction the
 * primary acknowledged is on the replicas.
 */

/**
 * Holds `table` on the laggard so its applier waits: MariaDB takes a WRITE
 * lock; MySQL's super_read_only refuses LOCK TABLES … WRITE even to root, and
 * a READ lock stops the applier just as well. The caller ends the connection.
 */
export async function holdLaggard(server: E2eServer, laggard: Pod, table: string): Promise<Connection> {
  const hold = await laggard.connect();
  await hold.query(`LOCK TABLES ${table} ${server.flavor === 'mariadb' ? 'WRITE' : 'READ'}`);
  return hold;
}

/**
 * Asynchronous replication can lose what the primary acknowledged in its last
 * milliseconds when its disk is lost; that is the replication mode, not the
 * agent. So the loss happens at a moment when the replicas hold everything:
 * FLUSH TABLES WITH READ LOCK holds the writer's next insert unacknowledged
 * (the writer keeps running), the replicas catch up, then the volume goes.
 * Returns mysql-0's GTID position at that moment.
 */
export async function freezeUntilReplicated(server: E2eServer, primary: Pod, replicas: readonly Pod[], laggard?: Pod): Promise<string> {
  const lock = await primary.connect();
  lock.on('error', () => undefined); // the connection dies with the pod
  await lock.query('FLUSH TABLES WITH READ LOCK');
  const position = await primaryPosition(server, primary);
  for (const replica of replicas) {
    // The laggard only has to have received it (its relay log), the others to have applied it.
    const holds = replica === laggard ? () => hasReceived(server, replica, position) : () => hasApplied(server, replica, position);
    await waitFor(async () => ((await holds()) ? true : undefined), {
      what: `${replica.name} to hold everything up to ${position}`,
      timeoutMs: 60_000,
      intervalMs: 100,
    });
  }
  return position;
}
