import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { namespacePids } from '../cluster/netns.js';
import type { Pod } from '../cluster/pod.js';
import type { CloneInfo } from '../../src/data-dir/clone-info.js';

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
    return JSON.parse(readFileSync(join(pod.paths.state, 'clone.json'), 'utf8')) as CloneInfo;
  } catch {
    return undefined;
  }
}
