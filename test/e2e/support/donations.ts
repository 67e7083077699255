import type { Pod } from '../../cluster/pod.js';
import { metricsOf } from '../../support/pod-probes.js';
import type { E2eServer } from './servers.js';

/**
 * A count, summed over `pods`, that grows whenever one of them donates a
 * clone: equal before and after a step means nobody cloned from them.
 * MariaDB: the backups the sidecars streamed
 * (`mysql_sts_clone_served_total{result="ok"}`). MySQL: the donor is the
 * server itself, which keeps no count of clones (performance_schema's clone
 * tables are the recipient's); every clone logs the donor-side user
 * `mysql_sts_clone` in, so its connections count (performance_schema.users,
 * since the server started).
 */
export async function donations(server: E2eServer, pods: readonly Pod[]): Promise<number> {
  let total = 0;
  for (const pod of pods) total += server.clone.method === 'backup-stream' ? await backupsServed(pod) : await cloneUserLogins(pod);
  return total;
}

async function backupsServed(pod: Pod): Promise<number> {
  const match = /^mysql_sts_clone_served_total\{result="ok"\} (\d+)$/m.exec(await metricsOf(pod));
  return Number(match?.[1] ?? 0);
}

async function cloneUserLogins(pod: Pod): Promise<number> {
  const [row] = await pod.query<{ logins: number | string | null }>(
    "SELECT SUM(TOTAL_CONNECTIONS) AS logins FROM performance_schema.users WHERE USER = 'mysql_sts_clone'",
  );
  return Number(row?.logins ?? 0);
}
