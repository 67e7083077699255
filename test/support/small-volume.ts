import { execa } from 'execa';
import { statfsSync } from 'node:fs';
import { CONTAINERS, HTTP_PORT } from '../cluster/agent.js';
import { CONTAINER_PATHS } from '../cluster/options.js';
import type { Pod } from '../cluster/pod.js';

/**
 * A size-limited data volume: a tmpfs with `size=` mounted on the pod's
 * /var/lib/mysql inside the pod's own mount namespace, so it is full where a
 * real volume is, is seen by every process of the pod, and is gone with the
 * pod (nothing is mounted on the host). A server that runs from an image's
 * root filesystem (MySQL) has its own mount of the volume in there: the same
 * tmpfs goes over it, so the server writes where the agent reads. Mount it
 * before the pod's init runs; mounted again, it replaces the last one. Not for
 * a cluster whose agent runs from its image (`agentImage`): podman mounts the
 * claim's host dir into those containers, so they would not see it.
 */
export async function mountSmallVolume(pod: Pod, bytes: number, options: { readOnly?: boolean } = {}): Promise<void> {
  const flags = `size=${bytes},mode=0755${options.readOnly === true ? ',ro' : ''}`;
  const rootfs = pod.rootfsOf(CONTAINERS.server);
  // Each umount takes off what was mounted last there: the claim's bind mount, or the last small volume.
  const inPod = ['umount "$1" 2>/dev/null || true', `mount -t tmpfs -o ${flags} tmpfs "$1"`];
  const server = rootfs === undefined ? [] : ['umount "$2" 2>/dev/null || true', 'mount --bind "$1" "$2"'];
  await pod.exec('sh', ['-c', ['set -e', ...inPod, ...server].join('\n'), 'sh', CONTAINER_PATHS.data, `${rootfs ?? ''}${CONTAINER_PATHS.data}`]);
}

/** Grows (or shrinks) the pod's small volume in place, files kept: what resizing a volume claim does. */
export async function resizeSmallVolume(pod: Pod, bytes: number): Promise<void> {
  await pod.exec('mount', ['-o', `remount,size=${bytes}`, CONTAINER_PATHS.data]);
}

/** The pod's data volume seen from the host, through its mount namespace. */
export function volumeOf(pod: Pod): string {
  return pod.containerPath(undefined, CONTAINER_PATHS.data);
}

/** Bytes used on the pod's data volume, and bytes an unprivileged writer may still write there. */
export function volumeUsage(pod: Pod): { used: number; free: number } {
  const stats = statfsSync(volumeOf(pod));
  return { used: (stats.blocks - stats.bfree) * stats.bsize, free: stats.bavail * stats.bsize };
}

/**
 * Room fillVolume leaves on each go: the clone writes meanwhile (MySQL's copy
 * some 100 MB/s onto a tmpfs), so the free space read first may be gone by the
 * time fallocate has it. The clone's next writes take what is left.
 */
const FILL_MARGINS = [64 * 1024, 4 * 1024 ** 2, 16 * 1024 ** 2, 64 * 1024 ** 2];

/** Fills the pod's data volume while a clone writes to it (another writer on the volume, as the disk-full reproduction had). */
export async function fillVolume(pod: Pod): Promise<void> {
  const filler = `${volumeOf(pod)}/filler`;
  for (const margin of FILL_MARGINS) {
    const { free } = volumeUsage(pod);
    const result = await execa('fallocate', ['-l', String(Math.max(4096, free - margin)), filler], { reject: false });
    if (result.exitCode === 0) return;
  }
  throw new Error(`failed to fill ${pod.name}'s data volume`);
}

/** The donor's backups so far, by result (`mysql_sts_clone_served_total`). */
export async function servedBackups(pod: Pod): Promise<Record<string, number>> {
  const metrics = await pod.httpGet(HTTP_PORT, '/metrics');
  const served: Record<string, number> = {};
  for (const match of metrics.body.matchAll(/^mysql_sts_clone_served_total\{result="(\w+)"\} (\d+)$/gm)) served[match[1] ?? ''] = Number(match[2]);
  return served;
}

/** Whether the donor streams a backup now (`mysql_sts_clone_serving`). */
export async function donorServing(pod: Pod): Promise<boolean> {
  const metrics = await pod.httpGet(HTTP_PORT, '/metrics');
  return /^mysql_sts_clone_serving 1$/m.test(metrics.body);
}

