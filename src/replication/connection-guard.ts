import type { Connection, RowDataPacket } from 'mysql2/promise';

/**
 * A hung server (kill -STOP, a stuck disk) accepts a query and never answers:
 * without a deadline the loop would wait forever, and probes would keep
 * serving the last verdict (Ready) from before the hang.
 */
export async function withDeadline<T>(work: Promise<T>, input: { ms: number; onTimeout: () => void }): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => {
      input.onTimeout();
      reject(new Error(`the server did not answer within ${input.ms / 1000} s`));
    }, input.ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

interface CoreConnection {
  readonly connection?: { readonly stream?: { destroy(): void } };
}

/**
 * Closes the socket at once. mysql2's `destroy()` only half-closes (FIN) and
 * marks the connection closing, which leaves a query sent to a hung server
 * pending forever; destroying the socket rejects it with "connection lost".
 */
export function closeHard(connection: Connection): void {
  const stream = (connection as unknown as CoreConnection).connection?.stream;
  if (stream === undefined) connection.destroy();
  else stream.destroy();
}

/**
 * Says goodbye (COM_QUIT), so the server does not log the connection as
 * aborted ("Got an error reading communication packets"); closes the socket at
 * once if the server does not answer the goodbye within a second.
 */
export async function closeGently(connection: Connection): Promise<void> {
  await withDeadline(connection.end(), { ms: 1_000, onTimeout: () => closeHard(connection) }).catch(() => closeHard(connection));
}

/**
 * When the server started, to the second (its clock minus Uptime). A new
 * connection to the same server instance is not a restart: replication an
 * operator stopped stays stopped.
 */
export async function readServerBootTime(connection: Connection): Promise<number> {
  const [rows] = await connection.query<RowDataPacket[]>("SHOW GLOBAL STATUS LIKE 'Uptime'");
  const uptime = Number(rows[0]?.Value ?? rows[0]?.value);
  if (!Number.isFinite(uptime)) throw new Error('failed to read the server uptime: SHOW GLOBAL STATUS has no Uptime');
  return Date.now() - uptime * 1000;
}
