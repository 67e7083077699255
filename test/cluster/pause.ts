import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BASE_PATH, type PodPaths } from './options.js';
import { BIND_MOUNT_PAIRS, MOUNT_ROOTFS_READ_ONLY, mountArgs } from './rootfs.js';
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
 * point is created there (an empty dir). When the server image is a root
 * filesystem (MySQL pods), it is first made read-only in this namespace, and
 * the server container's mounts go into it like the others. Paths come in as
 * arguments, so nothing needs shell quoting.
 */
const PAUSE_SCRIPT = [
  'set -e',
  'hostname "$1"',
  'ROOTFS="$2"',
  'shift 2',
  'if [ -n "$ROOTFS" ]; then',
  ...MOUNT_ROOTFS_READ_ONLY.map((line) => `  ${line}`),
  'fi',
  ...BIND_MOUNT_PAIRS,
  'exec sleep infinity',
].join('\n');

export interface PauseSpec {
  table: ProcessTable;
  netns: string;
  hostname: string;
  paths: PodPaths;
  /** Host source → container path, in mount order (targets in the server image's rootfs are host paths under it). */
  mounts: readonly Mount[];
  /** The server image's root filesystem, when it has one. */
  rootfs: string | undefined;
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
    args: ['netns', 'exec', spec.netns, ...unshare, spec.hostname, spec.rootfs ?? '', ...mountArgs(spec.mounts)],
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
