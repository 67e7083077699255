import type { Workload } from './manifest.js';

/**
 * The pod template's volume mounts as bind mounts in the harness pod. All the
 * pod's containers share one mount namespace here, so a path must get the same
 * volume in every container that mounts it.
 *
 * One simplification, deliberate: `/tmp` stays the host's (the cluster's own
 * files live under it) except in a container with its own root filesystem (see
 * `containerMounts`). A claim's `subPath` is applied: each mount of the claim
 * is its subdir of the pod's volume dir, as the kubelet does.
 */

export interface Mount {
  readonly source: string;
  readonly target: string;
  /** The manifest's `readOnly` (podman containers honour it; the pause process's bind mounts do not). */
  readonly readOnly?: boolean | undefined;
}

/** Host dirs backing each kind of volume for one pod. */
export interface VolumeSources {
  /** The claim's dir for a mount's `subPath` (the whole volume without one). */
  claim(subPath: string | undefined): string;
  emptyDir(volume: string, mountPath: string): string;
  secret(secretName: string): string;
}

const HOST_TMP = '/tmp';

export function podMounts(workload: Workload, sources: VolumeSources): Mount[] {
  const volumeAt = new Map<string, { name: string; subPath: string | undefined }>();
  for (const container of [...(workload.pod.initContainers ?? []), ...workload.pod.containers]) {
    for (const mount of container.volumeMounts ?? []) {
      const volume = { name: mount.name, subPath: mount.subPath };
      const earlier = volumeAt.get(mount.mountPath);
      if (earlier !== undefined && (earlier.name !== volume.name || earlier.subPath !== volume.subPath)) {
        throw new Error(`${mount.mountPath} holds volume ${earlier.name} in one container and ${mount.name} in ${container.name}: the harness's containers share one mount namespace`);
      }
      volumeAt.set(mount.mountPath, volume);
    }
  }
  const mounts: Mount[] = [];
  for (const [target, volume] of volumeAt) {
    if (target === HOST_TMP) continue;
    mounts.push({ source: volumeSource(workload, volume, target, sources), target });
  }
  return parentsFirst(mounts);
}

/**
 * One container's volume mounts, /tmp included: for a container that runs in
 * its own root filesystem (the server image's, the agent's image), where /tmp
 * is the container's own.
 */
export function containerMounts(workload: Workload, containerName: string, sources: VolumeSources): Mount[] {
  const container = [...(workload.pod.initContainers ?? []), ...workload.pod.containers].find((candidate) => candidate.name === containerName);
  if (container === undefined) throw new Error(`the pod template has no container named ${containerName}`);
  const mounts = (container.volumeMounts ?? []).map((mount) => ({
    source: volumeSource(workload, { name: mount.name, subPath: mount.subPath }, mount.mountPath, sources),
    target: mount.mountPath,
    readOnly: mount.readOnly,
  }));
  return parentsFirst(mounts);
}

/** Parents before children, so a mount inside another volume lands on top of it. */
function parentsFirst(mounts: Mount[]): Mount[] {
  return mounts.sort((a, b) => a.target.length - b.target.length);
}

function volumeSource(workload: Workload, mount: { name: string; subPath: string | undefined }, mountPath: string, sources: VolumeSources): string {
  const { name } = mount;
  if (name === workload.claimName) return sources.claim(mount.subPath);
  const volume = workload.pod.volumes?.find((candidate) => candidate.name === name);
  if (volume === undefined) throw new Error(`volume ${name} (mounted at ${mountPath}) is not declared in the pod template`);
  if (volume.emptyDir !== undefined) return sources.emptyDir(name, mountPath);
  if (volume.secret?.secretName !== undefined) return sources.secret(volume.secret.secretName);
  throw new Error(`volume ${name}: only the claim, emptyDir and secret volumes are supported by the harness`);
}
