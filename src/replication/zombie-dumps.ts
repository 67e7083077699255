import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../log.js';

/**
 * Stale binlog dump threads on the primary. When a replica's connection dies
 * without a FIN (a network partition), its dump thread stays blocked writing
 * into the dead socket until net_write_timeout (60 s by default). The
 * replica's next dump request waits behind it: the server only flags the old
 * thread (KILL_SLAVE_SAME_ID), which does not shut its socket. A newer dump
 * thread from the same address proves the older one is dead, so the primary's
 * agent ends it with KILL CONNECTION, which does shut the socket.
 */

export interface DumpThread {
  readonly id: number;
  readonly user: string;
  /** `address:port` of the replica's end. */
  readonly host: string;
}

/** `Binlog Dump` (MariaDB, MySQL file/position) and `Binlog Dump GTID` (MySQL auto-position). */
const DUMP_THREADS =
  "SELECT ID AS id, USER AS user, HOST AS host FROM information_schema.PROCESSLIST WHERE COMMAND IN ('Binlog Dump', 'Binlog Dump GTID')";

function addressOf(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon < 0 ? host : host.slice(0, colon);
}

/** Every dump thread older than the newest one of the same user and replica address. */
export function findZombieDumps(threads: readonly DumpThread[]): DumpThread[] {
  const newest = new Map<string, number>();
  const key = (thread: DumpThread): string => `${thread.user}@${addressOf(thread.host)}`;
  for (const thread of threads) newest.set(key(thread), Math.max(newest.get(key(thread)) ?? 0, thread.id));
  return threads.filter((thread) => thread.id < (newest.get(key(thread)) ?? 0));
}

/** Ends the zombies; returns the threads it ended. */
export async function endZombieDumps(connection: Connection): Promise<DumpThread[]> {
  const [rows] = await connection.query<RowDataPacket[]>(DUMP_THREADS);
  const zombies = findZombieDumps(rows.map((row) => ({ id: Number(row.id), user: String(row.user), host: String(row.host) })));
  for (const zombie of zombies) {
    try {
      await connection.query('KILL CONNECTION ?', [zombie.id]);
    } catch (error) {
      // 1094: unknown thread id, it ended by itself meanwhile.
      if ((error as { errno?: number }).errno !== 1094) throw error;
    }
  }
  return zombies;
}

/**
 * Runs on the primary every check. Best effort: a failure here must never make
 * the primary look down, so it is logged (once until it works again) and passed over.
 */
export class DumpReaper {
  #failing = false;

  constructor(private readonly logger: Logger) {}

  async run(connection: Connection): Promise<void> {
    try {
      for (const zombie of await endZombieDumps(connection)) {
        this.logger.info({ thread: zombie.id, replica: zombie.host }, 'ended a stale binlog dump thread: its replica has reconnected');
      }
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.logger.warn({ err: (error as Error).message }, 'failed to look for stale binlog dump threads');
      this.#failing = true;
    }
  }
}
