import { readFile } from 'node:fs/promises';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { Logger } from '../log.js';
import { ER_NO_SUCH_THREAD, serverErrno } from '../mysql/error-numbers.js';
import { parseProcNetTcp, TCP_ESTABLISHED, type TcpSocket } from '../fs/proc-net-tcp.js';

/**
 * Binlog dump threads whose replica stopped acknowledging (ARCHITECTURE.md,
 * "Replication"). A replica cut off by the network leaves its dump thread on
 * the primary blocked writing into a socket nobody acknowledges, for
 * net_write_timeout (60 s). When the replica comes back it reconnects, and
 * MariaDB's new dump thread waits in kill_zombie_dump_threads until the old
 * thread has ended: it only flags the old one, which does not wake a blocked
 * write. The old socket dies when its next retransmission, up to ~30 s of
 * back-off away, is answered with a reset. KILL CONNECTION shuts the socket
 * down and ends the blocked write at once, so the primary's agent ends such a
 * thread while the link is still down, and the replica's next connection is
 * served at once.
 */

/**
 * Retransmission timeouts in a row, without an acknowledgement, after which the
 * replica is taken for gone: at least 0.2 + 0.4 + 0.8 + 1.6 = 3 s of silence
 * (Linux's minimum RTO is 200 ms), while a live replica acknowledges within a
 * round trip. A replica that reads slowly closes its window instead, which the
 * kernel probes without counting retransmissions.
 */
export const STALLED_RETRANSMITS = 4;

function isStalled(socket: TcpSocket): boolean {
  return socket.state === TCP_ESTABLISHED && socket.retransmits >= STALLED_RETRANSMITS;
}

export interface ReplicaThread {
  readonly id: number;
  /** The processlist's HOST: the replica's `address:port`. */
  readonly host: string;
}

/** An address as both the kernel's table and the server name it: IPv4-mapped IPv6 as IPv4, IPv6 compressed. */
function canonicalAddress(address: string): string {
  const bare = address.replace(/^\[(.*)\]$/, '$1');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(bare);
  if (mapped !== null) return mapped[1] ?? bare;
  if (!bare.includes(':')) return bare;
  try {
    return new URL(`http://[${bare}]/`).hostname;
  } catch {
    return bare;
  }
}

function endpointKey(address: string, port: number): string {
  return `${canonicalAddress(address)}|${port}`;
}

function hostKey(host: string): string | undefined {
  const colon = host.lastIndexOf(':');
  const port = Number(host.slice(colon + 1));
  if (colon < 0 || !Number.isInteger(port)) return undefined;
  return endpointKey(host.slice(0, colon), port);
}

/** The replication connections whose socket has gone unacknowledged for STALLED_RETRANSMITS timeouts. */
export function findStalledThreads(threads: readonly ReplicaThread[], sockets: readonly TcpSocket[]): (ReplicaThread & { socket: TcpSocket })[] {
  const stalled = new Map<string, TcpSocket>();
  for (const socket of sockets) {
    if (isStalled(socket)) stalled.set(endpointKey(socket.remote.address, socket.remote.port), socket);
  }
  return threads.flatMap((thread) => {
    const key = hostKey(thread.host);
    const socket = key === undefined ? undefined : stalled.get(key);
    return socket === undefined ? [] : [{ ...thread, socket }];
  });
}

/** This network namespace's TCP sockets, IPv4 and IPv6 (a kernel without IPv6 has no tcp6). */
export async function readTcpSockets(): Promise<TcpSocket[]> {
  const texts = await Promise.all(['/proc/net/tcp', '/proc/net/tcp6'].map((file) => readFile(file, 'utf8').catch(() => '')));
  return texts.flatMap(parseProcNetTcp);
}

/**
 * Ends the replication user's stalled connections; returns what it ended. The
 * kernel's table is read first: only when some socket has stalled does it ask
 * the server whose connection that is, so a healthy primary runs no SQL here.
 */
export async function endStalledDumps(
  connection: Connection,
  input: { replicationUser: string; readSockets: () => Promise<TcpSocket[]> },
): Promise<ReturnType<typeof findStalledThreads>> {
  const sockets = await input.readSockets();
  if (!sockets.some(isStalled)) return [];
  // SHOW PROCESSLIST on both servers (MySQL deprecates information_schema's); every connection of the
  // replication user, whatever its command: once its replica reconnected, MariaDB shows the old dump thread as `Killed`.
  const [rows] = await connection.query<RowDataPacket[]>('SHOW PROCESSLIST');
  const threads = rows.filter((row) => row['User'] === input.replicationUser).map((row) => ({ id: Number(row['Id']), host: String(row['Host']) }));
  const stalled = findStalledThreads(threads, sockets);
  for (const thread of stalled) {
    try {
      await connection.query('KILL CONNECTION ?', [thread.id]);
    } catch (error) {
      if (serverErrno(error) !== ER_NO_SUCH_THREAD) throw error;
    }
  }
  return stalled;
}

/**
 * Runs on the primary at every check. Best effort: a failure here must never
 * make the primary look down, so it is logged (once until it works again).
 */
export class StalledDumpReaper {
  #failing = false;

  constructor(
    private readonly logger: Logger,
    private readonly input: { replicationUser: string; readSockets?: () => Promise<TcpSocket[]> },
  ) {}

  async run(connection: Connection): Promise<void> {
    try {
      const ended = await endStalledDumps(connection, { replicationUser: this.input.replicationUser, readSockets: this.input.readSockets ?? readTcpSockets });
      for (const { id, host, socket } of ended) {
        const { retransmits, unacknowledgedBytes } = socket;
        this.logger.warn({ thread: id, replica: host, retransmits, unacknowledgedBytes }, 'ended the binlog dump thread of a replica that stopped acknowledging');
      }
      this.#failing = false;
    } catch (error) {
      if (!this.#failing) this.logger.warn({ err: (error as Error).message }, 'failed to look for stalled binlog dump threads');
      this.#failing = true;
    }
  }
}
