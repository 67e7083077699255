import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Mount } from './volumes.js';

/**
 * A server image as a root filesystem on the host (test/server-rootfs.sh
 * builds it), entered with chroot from a private mount namespace. Every pod
 * shares the one copy, so a pod sees it read-only and writes only through the
 * volumes mounted onto it; the mount points exist in the image already.
 */

/** Shell lines: `$ROOTFS` read-only over itself, with a /proc (mysqld reads /proc/self). */
export const MOUNT_ROOTFS_READ_ONLY = [
  'mount --bind "$ROOTFS" "$ROOTFS"',
  'mount -o remount,bind,ro "$ROOTFS"',
  'mount -t proc proc "$ROOTFS/proc"',
];

/**
 * Shell lines: bind mounts from the arguments, pairs of <source> <target> up
 * to a `--`, which they consume. A dir is mounted on a dir, a file on a file;
 * a missing mount point is created (on the host, or failing loudly in a
 * read-only image, whose mount points the set-up script makes).
 */
export const BIND_MOUNT_PAIRS = [
  'while [ "$1" != "--" ]; do',
  '  if [ -d "$1" ]; then mkdir -p "$2"; else [ -e "$2" ] || touch "$2"; fi',
  '  mount --bind "$1" "$2"',
  '  shift 2',
  'done',
  'shift',
];

/** Mount arguments for BIND_MOUNT_PAIRS, with the closing `--`. */
export function mountArgs(mounts: readonly Mount[]): string[] {
  return [...mounts.flatMap((mount) => [mount.source, mount.target]), '--'];
}

/** Container paths as host paths under the image's root. */
export function intoRootfs(rootfs: string, mounts: readonly Mount[]): Mount[] {
  return mounts.map((mount) => ({ source: mount.source, target: join(rootfs, mount.target) }));
}

/** Throws when the image's root filesystem has not been built on this machine. */
export function requireRootfs(rootfs: string, image: string): void {
  if (!existsSync(join(rootfs, 'usr'))) {
    throw new Error(`failed to run ${image} pods: its root filesystem ${rootfs} is missing; run bash test/setup.sh (as root) to build it`);
  }
}

const RUN_IN_ROOTFS_SCRIPT = ['set -e', 'ROOTFS="$1"', 'shift', ...MOUNT_ROOTFS_READ_ONLY, ...BIND_MOUNT_PAIRS, 'exec chroot "$ROOTFS" "$@"'].join('\n');

/**
 * Runs one command in the image outside any pod (to build a template data
 * dir), with `mounts` at container paths; throws with its output on failure.
 */
export async function runInRootfs(rootfs: string, mounts: readonly Mount[], cmd: string, args: string[], timeoutMs = 120_000): Promise<void> {
  const unshare = ['--mount', '--propagation', 'private', '--', 'sh', '-c', RUN_IN_ROOTFS_SCRIPT, 'sh', rootfs];
  const result = await execa('unshare', [...unshare, ...mountArgs(intoRootfs(rootfs, mounts)), cmd, ...args], {
    reject: false,
    all: true,
    timeout: timeoutMs,
  });
  if (result.exitCode !== 0) throw new Error(`failed to run ${cmd} in ${rootfs} (exit ${String(result.exitCode)}): ${result.all ?? ''}`);
}
