import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { namespacePids } from '../cluster/netns.js';
import type { Pod } from '../cluster/pod.js';
import type { CloneInfo } from '../../src/clone/data-dir.js';

/** PIDs of the processes in the pod whose command name (`/proc/<pid>/comm`) is `comm`. */
export async function pidsNamed(pod: Pod, comm: string): Promise<number[]> {
  const pids = await namespacePids(pod.netns);
  return pids.filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === comm;
    } catch {
      return false;
    }
  });
}

/** Row count and CHECKSUM TABLE of a table: equal digests on two pods mean equal data. */
export async function tableDigest(pod: Pod, table: string): Promise<{ count: number; checksum: string }> {
  const [count] = await pod.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table}`);
  const [sum] = await pod.query<{ Checksum: string | number }>(`CHECKSUM TABLE ${table}`);
  return { count: Number(count?.n), checksum: String(sum?.Checksum) };
}

/** What init recorded about the clone that made this pod's data dir. */
export function cloneInfoOf(pod: Pod): CloneInfo | undefined {
  try {
    return JSON.parse(readFileSync(join(pod.paths.data, '.mysql-sts-agent', 'clone.json'), 'utf8')) as CloneInfo;
  } catch {
    return undefined;
  }
}

/**
 * Points a cloned replica at mysql-0 by hand, from the GTID position its clone
 * recorded (the sidecar's control loop will do this itself).
 */
export async function replicateByHand(pod: Pod, input: { primaryFqdn: string; password: string }): Promise<void> {
  const info = cloneInfoOf(pod);
  if (info === undefined) throw new Error(`${pod.name} was not cloned: no clone.json`);
  await pod.query('STOP SLAVE');
  await pod.query('SET GLOBAL gtid_slave_pos = ?', [info.coordinates.gtid ?? '']);
  await pod.query(
    "CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = 3306, MASTER_USER = 'root', MASTER_PASSWORD = ?, MASTER_USE_GTID = slave_pos, MASTER_CONNECT_RETRY = 1",
    [input.primaryFqdn, input.password],
  );
  await pod.query('START SLAVE');
}
