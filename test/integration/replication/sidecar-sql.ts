import type { Pod } from '../../cluster/pod.js';

/** What a test reads about the SQL a sidecar runs on its server, the same way on MariaDB and MySQL. */

/** Metric family names in Prometheus text (from the TYPE lines). */
export function familyNames(text: string): string[] {
  return [...text.matchAll(/^# TYPE (\S+) \S+$/gm)].map((match) => match[1] as string);
}

/** Statements the server has run for clients so far. */
export async function questions(pod: Pod): Promise<number> {
  const [row] = await pod.query<{ Value: string }>("SHOW GLOBAL STATUS LIKE 'Questions'");
  return Number(row?.Value);
}

/**
 * Kills the sidecar's own connections: the agent user's, over TCP from
 * 127.0.0.1 (the tests use the socket, as root). Once the users exist the
 * sidecar connects as the agent user, never root. Returns how many there were.
 */
export async function killSidecarConnections(pod: Pod): Promise<number> {
  const rows = await pod.query<{ ID: number }>(
    "SELECT ID FROM information_schema.PROCESSLIST WHERE USER = 'mysql_sts_agent' AND HOST LIKE '127.0.0.1:%' AND ID <> CONNECTION_ID()",
  );
  for (const row of rows) await pod.query(`KILL CONNECTION ${Number(row.ID)}`).catch(() => undefined);
  return rows.length;
}

/** SHOW GRANTS for one account, one line per grant. */
export async function grantsOf(pod: Pod, user: string, host: string): Promise<string[]> {
  return (await pod.query<Record<string, string>>(`SHOW GRANTS FOR '${user}'@'${host}'`)).map((row) => String(Object.values(row)[0]));
}

/** Accounts in mysql.user matching `where`. */
export async function accountCount(pod: Pod, where: string): Promise<number> {
  const [row] = await pod.query<{ n: number }>(`SELECT COUNT(*) AS n FROM mysql.user WHERE ${where}`);
  return Number(row?.n);
}
