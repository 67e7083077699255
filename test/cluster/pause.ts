import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_PATH, CONTAINER_PATHS, type PodPaths } from './options.js';
import { spawnTracked, type ManagedProcess, type ProcessTable } from './processes.js';
import { GiveUp, waitFor } from './wait.js';

/**
 * The pod's "pause container": a `sleep` that owns the pod's UTS and mount
 * namespaces (and sits in its network namespace), so every other process of
 * the pod joins them with `nsenter --target <pausePid> --net --uts --mount`.
 *
 * The script sets the hostname and bind-mounts the pod's dirs over the
 * container paths inside a private mount namespace (nothing leaks to the
 * host). Paths come in as arguments, so nothing needs shell quoting.
 */
const PAUSE_SCRIPT = [
  'set -e',
  'hostname "$1"',
  `mkdir -p ${CONTAINER_PATHS.data} ${CONTAINER_PATHS.confD} ${CONTAINER_PATHS.run}`,
  `[ -e ${CONTAINER_PATHS.myCnf} ] || touch ${CONTAINER_PATHS.myCnf}`,
  `mount --bind "$2" ${CONTAINER_PATHS.data}`,
  `mount --bind "$3" ${CONTAINER_PATHS.confD}`,
  `mount --bind "$4" ${CONTAINER_PATHS.run}`,
  `mount --bind "$5" ${CONTAINER_PATHS.myCnf}`,
  'exec sleep infinity',
].join('\n');

export interface PauseSpec {
  table: ProcessTable;
  netns: string;
  hostname: string;
  paths: PodPaths;
  pod: number;
  detached: boolean;
}

/** Starts the pause process and resolves once its mounts are in place. */
export async function startPause(spec: PauseSpec): Promise<ManagedProcess> {
  const { paths } = spec;
  const logFile = join(paths.logs, 'pause.log');
  const unshare = ['unshare', '--uts', '--mount', '--propagation', 'private', '--', 'sh', '-c', PAUSE_SCRIPT, 'sh'];
  // `ip netns exec` also bind-mounts /etc/netns/<ns>/{resolv.conf,hosts} over /etc:
  // the mount namespace made by unshare inherits them.
  const proc = spawnTracked(spec.table, {
    file: 'ip',
    args: ['netns', 'exec', spec.netns, ...unshare, spec.hostname, paths.data, paths.confD, paths.run, paths.myCnf],
    env: { PATH: BASE_PATH },
    label: 'pause',
    pod: spec.pod,
    logFile,
    detached: spec.detached,
  });
  // ip, unshare and sh all exec: the PID is `sleep` once the mounts are done.
  await waitFor(
    async () => {
      if (!proc.alive) throw new GiveUp(new Error(`failed to start the pause process of ${spec.hostname}: see ${logFile}`));
      return readFileSync(`/proc/${proc.pid}/comm`, 'utf8').trim() === 'sleep' ? true : undefined;
    },
    { what: `the pause process of ${spec.hostname}`, timeoutMs: 10_000, intervalMs: 10 },
  );
  return proc;
}
