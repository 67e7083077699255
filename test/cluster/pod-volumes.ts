import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { CONTAINERS } from './containers.js';
import { emptyDir } from './datadir.js';
import type { Workload } from './manifest.js';
import { netnsEtcFile } from './netns.js';
import { CONTAINER_PATHS, type PodPaths } from './options.js';
import { intoRootfs } from './rootfs.js';
import type { ServerImage } from './server-image.js';
import { containerMounts, podMounts, type Mount, type VolumeSources } from './volumes.js';

/**
 * One pod's volumes on the host: the manifest's mounts mapped onto the pod's
 * dirs, plus the server image's my.cnf (the harness plays the image).
 */
export function podVolumeMounts(workload: Workload, paths: PodPaths, secretDir: (secretName: string) => string): Mount[] {
  const mounts = podMounts(workload, volumeSources(paths, secretDir));
  if (!mounts.some((mount) => mount.source === paths.data && mount.target === CONTAINER_PATHS.data)) {
    throw new Error(`the manifest does not mount the volume claim ${workload.claimName} (subPath mysql) at ${CONTAINER_PATHS.data}, where the server image keeps its data`);
  }
  if (!mounts.some((mount) => mount.source === paths.state && mount.target === CONTAINER_PATHS.state)) {
    throw new Error(`the manifest does not mount the volume claim ${workload.claimName} (subPath agent) at ${CONTAINER_PATHS.state}, the agent's STATE_DIR`);
  }
  return [...mounts, { source: paths.myCnf, target: CONTAINER_PATHS.myCnf }];
}

/** One container's own mounts (the manifest's, on this pod's dirs): for a container run apart from the pod's mount namespace (the bench's image sidecar). */
export function podContainerMounts(workload: Workload, container: string, paths: PodPaths, secretDir: (secretName: string) => string): Mount[] {
  return containerMounts(workload, container, volumeSources(paths, secretDir));
}

function volumeSources(paths: PodPaths, secretDir: (secretName: string) => string): VolumeSources {
  return {
    claim: (subPath) => {
      const dir = join(paths.volume, subPath ?? '');
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    // The harness's own code reads these two through PodPaths.
    emptyDir: (name, mountPath) => {
      if (mountPath === CONTAINER_PATHS.confD) return paths.confD;
      if (mountPath === CONTAINER_PATHS.run) return paths.run;
      const dir = join(paths.dir, 'volumes', name);
      mkdirSync(dir, { recursive: true });
      return dir;
    },
    secret: secretDir,
  };
}

/**
 * The server container's mounts inside its image's root filesystem (MySQL
 * pods): its volumes from the manifest (its own /tmp included), the pod's
 * my.cnf and logs dir, and the kubelet's resolv.conf and hosts of the pod, so
 * mysqld resolves peers through the cluster DNS (CLONE INSTANCE, replication).
 */
export function rootfsMounts(spec: { workload: Workload; paths: PodPaths; secretDir: (secretName: string) => string; image: ServerImage; netns: string }): Mount[] {
  const { workload, paths, image } = spec;
  if (image.rootfs === undefined) return [];
  const mounts = [
    ...podContainerMounts(workload, CONTAINERS.server, paths, spec.secretDir),
    { source: paths.myCnf, target: CONTAINER_PATHS.myCnf },
    { source: paths.logs, target: image.logDir(paths) },
    { source: netnsEtcFile(spec.netns, 'resolv.conf'), target: '/etc/resolv.conf' },
    { source: netnsEtcFile(spec.netns, 'hosts'), target: '/etc/hosts' },
  ];
  return intoRootfs(image.rootfs, mounts);
}

/** One of the agent's containers, run from its image: its own mounts from the manifest, /tmp included. */
export function agentContainerMounts(spec: { workload: Workload; paths: PodPaths; secretDir: (secretName: string) => string; container: string }): Mount[] {
  return containerMounts(spec.workload, spec.container, volumeSources(spec.paths, spec.secretDir));
}

/** The emptyDirs the pod's containers mount (host dirs), made if missing. */
export function emptyDirSources(workload: Workload, paths: PodPaths, secretDir: (secretName: string) => string): string[] {
  const sources = volumeSources(paths, secretDir);
  const dirs = new Set<string>();
  for (const container of [...(workload.pod.initContainers ?? []), ...workload.pod.containers]) {
    for (const mount of container.volumeMounts ?? []) {
      if (workload.pod.volumes?.some((volume) => volume.name === mount.name && volume.emptyDir !== undefined) === true) dirs.add(sources.emptyDir(mount.name, mount.mountPath));
    }
  }
  return [...dirs];
}

/** emptyDirs live as long as the pod: a new pod starts with them empty. */
export function emptyPodVolumes(paths: PodPaths): void {
  emptyDir(paths.confD);
  emptyDir(paths.run);
  rmSync(join(paths.dir, 'volumes'), { recursive: true, force: true });
  mkdirSync(join(paths.dir, 'volumes'));
}
