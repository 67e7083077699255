import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { emptyDir } from './datadir.js';
import type { Workload } from './manifest.js';
import { CONTAINER_PATHS, type PodPaths } from './options.js';
import { podMounts, type Mount } from './volumes.js';

/**
 * One pod's volumes on the host: the manifest's mounts mapped onto the pod's
 * dirs, plus the server image's my.cnf (the harness plays the image).
 */
export function podVolumeMounts(workload: Workload, paths: PodPaths, secretDir: (secretName: string) => string): Mount[] {
  const mounts = podMounts(workload, {
    claim: paths.data,
    // The harness's own code reads these two through PodPaths.
    emptyDir: (name, mountPath) => (mountPath === CONTAINER_PATHS.confD ? paths.confD : mountPath === CONTAINER_PATHS.run ? paths.run : join(paths.dir, 'volumes', name)),
    secret: secretDir,
  });
  if (!mounts.some((mount) => mount.source === paths.data && mount.target === CONTAINER_PATHS.data)) {
    throw new Error(`the manifest does not mount the volume claim ${workload.claimName} at ${CONTAINER_PATHS.data}, where the server image keeps its data`);
  }
  return [...mounts, { source: paths.myCnf, target: CONTAINER_PATHS.myCnf }];
}

/** emptyDirs live as long as the pod: a new pod starts with them empty. */
export function emptyPodVolumes(paths: PodPaths): void {
  emptyDir(paths.confD);
  emptyDir(paths.run);
  rmSync(join(paths.dir, 'volumes'), { recursive: true, force: true });
  mkdirSync(join(paths.dir, 'volumes'));
}
