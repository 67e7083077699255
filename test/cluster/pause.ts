import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_PATH, type PodPaths } from './options.js';
import type { Mount } from './volumes.js';
import { spawnTracked, type ManagedProcess, type ProcessTable } from './processes.js';
import { GiveUp, waitFor } from './wait.js';

/**
 * The pod's "pause container": a `sleep` that owns the pod's UTS and mount
 * namespaces (and sits in its network namespace), so every other process of
 * the pod joins them with `nsenter --target <pausePid> --net --uts --mount`.
 *
 * The script sets the hostname and bind-mounts the pod's volumes (from the
 * manifest) and the image's files over the container paths inside a private
 * mount namespace: the mounts never show on the host, though a missing mount
 * point is created there (an empty dir). Paths come in as arguments, so
 * nothing needs shell quoting.
 */
const PAUSE_SCRIPT = [
  'set -e',
  'hostname "$1"',
  'shift',
  // Pairs of <source> <target>: a dir is mounted on a dir, a file on a file.
  'while [ "$#" -gt 0 ]; do',
  '  if [ -d "$1" ]; then mkdir -p "$2"; else [ -e "$2" ] || touch "$2"; fi',
  '  mount --bind "$1" "$2"',
  '  shift 2',
  'done',
  'exec sleep infinity',
].join('\n');

export interface PauseSpec {
  table: ProcessTable;
  netns: string;
  hostname: string;
  paths: PodPaths;
  /** Host source → container path, in mount order. */
  mounts: readonly Mount[];
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
    args: ['netns', 'exec', spec.netns, ...unshare, spec.hostname, ...spec.mounts.flatMap((mount) => [mount.source, mount.target])],
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
