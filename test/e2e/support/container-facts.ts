import { readFileSync } from 'node:fs';
import type { Pod } from '../../cluster/pod.js';
import { waitFor } from '../../cluster/wait.js';
import { descendantsOf } from '../../support/process-tree.js';

/**
 * What the kernel says about the processes of one of the agent's containers,
 * run from the image (ClusterOptions.agentImage): its PID 1 and every process
 * it started (the backup tool, the stream extractor), read from /proc on the
 * host while they run.
 */
export interface ProcessFacts {
  readonly comm: string;
  /** `/proc/<pid>/status` Uid: real, effective, saved, filesystem. */
  readonly uid: string;
  readonly gid: string;
  readonly capEff: string;
  readonly noNewPrivs: string;
  /** Options of the container's `/` mount (`ro` or `rw`), from its mountinfo. */
  readonly root: string;
}

function statusField(status: string, field: string): string {
  return new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(status)?.[1]?.trim().replace(/\s+/g, ' ') ?? '';
}

/** A process's facts now, or undefined once it has exited. */
export function processFacts(pid: number): ProcessFacts | undefined {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return {
      comm: readFileSync(`/proc/${pid}/comm`, 'utf8').trim(),
      uid: statusField(status, 'Uid'),
      gid: statusField(status, 'Gid'),
      capEff: statusField(status, 'CapEff'),
      noNewPrivs: statusField(status, 'NoNewPrivs'),
      root: mountPointsOf(pid).get('/') ?? '',
    };
  } catch {
    return undefined; // exited while read
  }
}

/** A process's mount points and whether each is `ro` or `rw`, from its mountinfo (the last mount on a point wins, as lookups see it). */
export function mountPointsOf(pid: number): Map<string, string> {
  const points = new Map<string, string>();
  for (const line of readFileSync(`/proc/${pid}/mountinfo`, 'utf8').split('\n')) {
    const [, , , , point, options] = line.split(' ');
    if (point !== undefined && options !== undefined) points.set(point, options.split(',')[0] ?? '');
  }
  return points;
}

/** A process's cgroup memory limit in bytes (cgroup v1's memory controller or v2's memory.max); undefined for none. */
export function memoryLimitOf(pid: number): number | undefined {
  const lines = readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n');
  const v1 = lines.map((line) => line.split(':')).find(([, controllers]) => controllers?.split(',').includes('memory'));
  const file = v1 === undefined ? `/sys/fs/cgroup${lines.find((line) => line.startsWith('0::'))?.slice(3) ?? ''}/memory.max` : `/sys/fs/cgroup/memory${v1[2] ?? ''}/memory.limit_in_bytes`;
  const value = readFileSync(file, 'utf8').trim();
  // v2 writes "max", v1 the largest page-aligned number: no limit either way.
  return value === 'max' || Number(value) >= 2 ** 62 ? undefined : Number(value);
}

/**
 * The facts of the container's processes now; waits until it runs with at
 * least `minProcesses` (PID 1 and its children).
 */
export async function containerProcesses(pod: Pod, container: string, minProcesses = 1): Promise<ProcessFacts[]> {
  const containers = pod.fromImage;
  if (containers === undefined) throw new Error(`${pod.name} runs the agent as host processes, not from its image`);
  return waitFor(
    async () => {
      const pid = await containers.mainPid(container);
      if (pid === undefined) return undefined;
      const facts = [pid, ...descendantsOf(pid).map((child) => child.pid)].flatMap((one) => processFacts(one) ?? []);
      return facts.length >= minProcesses ? facts : undefined;
    },
    { what: `${pod.name}'s ${container} container to run with ${minProcesses} process(es)`, timeoutMs: 30_000, intervalMs: 20 },
  );
}

/** What every process of the agent's containers must show: the StatefulSet's securityContext. */
export const RESTRICTED_PROCESS = {
  uid: '999 999 999 999',
  gid: '999 999 999 999',
  capEff: '0000000000000000',
  noNewPrivs: '1',
  root: 'ro',
} as const;
