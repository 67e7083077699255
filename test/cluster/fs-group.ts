import { chmodSync, chownSync, existsSync, lchownSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Workload } from './manifest.js';
import type { PodPaths } from './options.js';

/**
 * Who owns what when the agent runs from its image (ClusterOptions.agentImage),
 * as the kubelet arranges it for the StatefulSet's securityContext
 * (runAsUser/runAsGroup 999, fsGroup 999). Every container of the pod runs as
 * 999 there, the server's too (the official images' `mysql`), so the harness's
 * server then runs as that uid as well (a host process, `nsenter --setuid`):
 * the data dir belongs to 999:999 and the init container, the donor's backup
 * tool and the server all read and write it, as in the cluster. The harness
 * itself stays root and reads everything.
 *
 * On this machine uid 999 is `dnsmasq` and gid 999 `systemd-journal` in the
 * host's /etc/passwd and /etc/group; only the numbers matter to the kernel,
 * and the harness's dnsmasq runs in its own namespace.
 */

export interface PodUser {
  readonly uid: number;
  readonly gid: number;
  readonly fsGroup: number;
}

/** The pod's securityContext: runAsUser, runAsGroup and fsGroup, all required to run the image. */
export function podUserOf(workload: Workload): PodUser {
  const context = workload.pod.securityContext;
  const { runAsUser: uid, runAsGroup: gid, fsGroup } = context ?? {};
  if (uid === undefined || gid === undefined || fsGroup === undefined) {
    throw new Error('the harness runs the agent from its image only for a pod securityContext with runAsUser, runAsGroup and fsGroup');
  }
  return { uid, gid, fsGroup };
}

/** chown -R of a dir, not following links. */
export function chownTree(path: string, uid: number, gid: number): void {
  lchownSync(path, uid, gid);
  for (const entry of readdirSync(path, { withFileTypes: true })) {
    const child = join(path, entry.name);
    if (entry.isDirectory()) chownTree(child, uid, gid);
    else lchownSync(child, uid, gid);
  }
}

/**
 * A new pod's dirs: the claim (its subPath dirs) belongs to the pod's user,
 * as the server image's files do; emptyDirs are 2777 with the fsGroup, as the
 * kubelet makes them; the harness's logs dir takes the server's error log and
 * the termination log the kubelet creates (0666) before a container starts.
 */
export function ownPodDirs(paths: PodPaths, emptyDirs: readonly string[], user: PodUser): void {
  for (const dir of [paths.volume, paths.data, paths.state]) chownSync(dir, user.uid, user.gid);
  for (const dir of emptyDirs) {
    chownSync(dir, 0, user.fsGroup);
    chmodSync(dir, 0o2777);
  }
  chmodSync(paths.logs, 0o777);
  const terminationLog = terminationLogOf(paths);
  if (!existsSync(terminationLog)) writeFileSync(terminationLog, '');
  chmodSync(terminationLog, 0o666);
}

/** The host file a container sees as /dev/termination-log (the harness's host processes get it as TERMINATION_LOG). */
export function terminationLogOf(paths: PodPaths): string {
  return join(paths.logs, 'termination-log');
}

/** Secret volumes as the kubelet writes them with fsGroup: files root:fsGroup with the volume's defaultMode. */
export function ownSecretVolumes(workload: Workload, secretDir: (secretName: string) => string, user: PodUser): void {
  for (const volume of workload.pod.volumes ?? []) {
    const secretName = volume.secret?.secretName;
    if (secretName === undefined) continue;
    const dir = secretDir(secretName);
    chownSync(dir, 0, user.fsGroup);
    chmodSync(dir, 0o750);
    for (const file of readdirSync(dir)) {
      chownSync(join(dir, file), 0, user.fsGroup);
      chmodSync(join(dir, file), volume.secret?.defaultMode ?? 0o644);
    }
  }
}
