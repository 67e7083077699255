import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Pod } from '../../cluster/pod.js';
import { waitFor } from '../../cluster/wait.js';
import { operatorSql, serverVersionOf, type OperatorSql } from '../../support/server-sql.js';

/**
 * What a replica cut off from the network does once its link is back (issue
 * 12): the moment its IO thread runs and receives events again, and the moment
 * it has applied everything the primary had when the link returned. Measured
 * and printed in the scenario table, never asserted (no timed assertions).
 */

export interface ReconnectTimes {
  /** Link back → IO thread running and its read position moved. */
  readonly reconnectMs: number;
  /** Link back → the replica applied the primary's GTID position of that moment. */
  readonly catchUpMs: number;
}

/** Where the replica's IO thread has read to (file and position), and whether it runs. */
async function readPoint(connection: Connection, sql: OperatorSql): Promise<{ running: boolean; point: string }> {
  const [rows] = await connection.query<RowDataPacket[]>(sql.replicaStatus);
  const row: Record<string, unknown> = rows[0] ?? {};
  const file = row['Master_Log_File'] ?? row['Source_Log_File'];
  const position = row['Read_Master_Log_Pos'] ?? row['Read_Source_Log_Pos'];
  return { running: row[sql.threadColumns.io] === 'Yes', point: `${String(file)}:${String(position)}` };
}

/** Blocks until the replica applied `position` (the primary's GTIDs); true when it did within `seconds`. */
async function waitApplied(connection: Connection, sql: OperatorSql, position: string, seconds: number): Promise<boolean> {
  const statement = sql.flavor === 'mariadb' ? 'SELECT MASTER_GTID_WAIT(?, ?) AS result' : 'SELECT WAIT_FOR_EXECUTED_GTID_SET(?, ?) AS result';
  const [rows] = await connection.query<RowDataPacket[]>(statement, [position, seconds]);
  return Number(rows[0]?.['result']) === 0;
}

/**
 * Call `before` while the link is still cut (it notes where the IO thread
 * stopped), then restore the link and call the returned function at once.
 */
export async function prepareReconnectWatch(primary: Pod, replica: Pod, timeoutMs: number): Promise<(restoredAt: number) => Promise<ReconnectTimes>> {
  const sql = operatorSql((await serverVersionOf(replica)).flavor);
  const watcher = await replica.connect();
  const waiter = await replica.connect();
  const stoppedAt = (await readPoint(watcher, sql)).point;
  return async (restoredAt) => {
    try {
      const [row] = await primary.query(sql.gtidPosition);
      const target = String(row?.['position']).replace(/\n/g, '');
      const caughtUp = waitApplied(waiter, sql, target, Math.ceil(timeoutMs / 1000)).then((done) => {
        if (!done) throw new Error(`${replica.name} did not apply ${target} within ${timeoutMs} ms of its link's return`);
        return Date.now() - restoredAt;
      });
      // Settled below; noted here so a failure while the reconnect is awaited is not an unhandled rejection.
      caughtUp.catch(() => undefined);
      await waitFor(
        async () => {
          const now = await readPoint(watcher, sql);
          return now.running && now.point !== stoppedAt ? true : undefined;
        },
        { what: `${replica.name}'s IO thread running and receiving`, timeoutMs, intervalMs: 50 },
      );
      const reconnectMs = Date.now() - restoredAt;
      return { reconnectMs, catchUpMs: await caughtUp };
    } finally {
      await Promise.all([watcher.end(), waiter.end()]).catch(() => undefined);
    }
  };
}

/** Waits until `pod`'s server has no client connection from `address` (the processlist's HOST is `address:port`). */
export async function waitForNoConnectionsFrom(pod: Pod, address: string, timeoutMs: number): Promise<void> {
  await waitFor(
    async () => {
      const rows = await pod.query("SELECT ID, COMMAND, STATE FROM information_schema.PROCESSLIST WHERE HOST LIKE CONCAT(?, ':%')", [address]);
      return rows.length === 0 ? true : undefined;
    },
    { what: `no connection from ${address} left on ${pod.name}`, timeoutMs, intervalMs: 250 },
  );
}
