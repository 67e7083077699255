import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CONTAINERS, runAgentIn } from '../../cluster/agent.js';
import { memoryLimitBytes } from '../../cluster/agent-containers.js';
import { Cluster } from '../../cluster/cluster.js';
import { podUserOf } from '../../cluster/fs-group.js';
import { containerOf } from '../../cluster/manifest.js';
import type { Pod } from '../../cluster/pod.js';
import { cloneInfoOf } from '../../support/pod-inspect.js';
import { buildImages, imageIdOf, imageName } from '../../support/podman.js';
import { containerProcesses, memoryLimitOf, mountPointsOf, processFacts, RESTRICTED_PROCESS, type ProcessFacts } from './container-facts.js';
import { initOutcomeOf, initPlanOf, markerOf, startPod, type LogEvent, type PodStart } from './pod-start.js';
import { withWriter } from './with-writer.js';

/**
 * What the scenarios with the agent from its image share, whatever the
 * server: a cluster of the overlay whose agent containers run the image this
 * run built, and the ordered bring-up of a cloning pod under writes, checked
 * from init's log, the pod's state files and the kernel's view of the agent's
 * processes (user, capabilities, mounts).
 */

/** A cluster of `overlay` whose init and sidecar run the image of `flavour`, built once per run. */
export async function clusterFromImage(overlay: string, flavour: string): Promise<Cluster> {
  await buildImages([flavour]);
  // The image's ID right after the build: a later re-tag (another build on this machine) cannot change what the pods run.
  const reference = imageName(flavour);
  const id = await imageIdOf(reference);
  if (id === undefined) throw new Error(`failed to inspect ${reference}: podman knows no such image`);
  return Cluster.create({ overlay, agentImage: id });
}

/** Every process of an agent container shows the StatefulSet's securityContext. */
export function expectRestricted(facts: readonly ProcessFacts[]): void {
  expect(facts.length).toBeGreaterThan(0);
  for (const one of facts) expect(one).toEqual({ comm: one.comm, ...RESTRICTED_PROCESS });
}

/**
 * The running container sees the manifest's volume mounts, read-only where it
 * says so (the kernel's mount table of its PID 1), runs in a cgroup with the
 * manifest's memory limit, and sees each Secret volume's files as the kubelet
 * writes them with fsGroup: root's, the fsGroup's, the volume's defaultMode.
 */
async function expectAsDeclared(pod: Pod, container: string): Promise<void> {
  const pid = await pod.fromImage?.mainPid(container);
  if (pid === undefined) throw new Error(`${pod.name}'s ${container} container is not running`);
  const manifest = containerOf(pod.workload, container);
  const declared = manifest.volumeMounts ?? [];
  const points = mountPointsOf(pid);
  const seen = Object.fromEntries(declared.map((mount) => [mount.mountPath, points.get(mount.mountPath)]));
  expect(seen).toEqual(Object.fromEntries(declared.map((mount) => [mount.mountPath, mount.readOnly === true ? 'ro' : 'rw'])));
  // The manifest's memory limit is the container's cgroup's, as the kubelet sets it.
  expect(memoryLimitOf(pid)).toBe(memoryLimitBytes(manifest));
  const { fsGroup } = podUserOf(pod.workload);
  for (const mount of declared) {
    const secret = pod.workload.pod.volumes?.find((volume) => volume.name === mount.name)?.secret;
    if (secret === undefined) continue;
    const dir = `/proc/${pid}/root${mount.mountPath}`;
    const files = readdirSync(dir).map((name) => {
      const stat = statSync(join(dir, name));
      return { name, uid: stat.uid, gid: stat.gid, mode: stat.mode & 0o777 };
    });
    expect(files.length).toBeGreaterThan(0);
    expect(files).toEqual(files.map(({ name }) => ({ name, uid: 0, gid: fsGroup, mode: secret.defaultMode ?? 0o644 })));
  }
}

/**
 * `kubectl exec <pod> -c agent -- mysql-sts-agent status` and `peers`: the
 * CLI in the running sidecar container, under the image's node flags and
 * read-only root (`status` uses fetch, which needs WebAssembly; `peers` the
 * pod's resolv.conf and the SRV records).
 */
async function expectTheCliInTheSidecar(cluster: Cluster, pod: Pod): Promise<void> {
  const status = await runAgentIn(cluster, pod, ['status']);
  const role = pod.n === 0 ? 'primary' : 'replica';
  expect({ exitCode: status.exitCode, stderr: status.stderr, first: status.stdout.split('\n')[0] }).toEqual({ exitCode: 0, stderr: '', first: `${pod.name} (${role}, server_id ${100 + pod.n}): READY` });
  const peers = await runAgentIn(cluster, pod, ['peers', '--json']);
  expect(peers.exitCode, peers.stderr).toBe(0);
  const names = (JSON.parse(peers.stdout) as { peers: { name: string }[] }).peers.map((peer) => peer.name);
  expect(names).toEqual(cluster.listPods().map((one) => one.name));
}

/** The clone method init logged with its plan ('clone-plugin', 'backup-stream'). */
function initMethodOf(log: readonly LogEvent[]): unknown {
  return log.filter((event) => event.msg === 'decided how to initialise the data dir').at(-1)?.['method'];
}

export interface CloneBringUp {
  readonly scenario: string;
  /** The writer's table on mysql-0 (withWriter). */
  readonly table: string;
  readonly env: Record<string, string>;
  /** The pod that starts and clones, and the peer it must clone from. */
  readonly ordinal: number;
  readonly donor: string;
  readonly method: 'clone-plugin' | 'backup-stream';
  /** What init says it did: 'cloned' (it streamed the copy), 'clone-pending' (the sidecar clones into the server). */
  readonly outcome: string;
  /** The server's command name: the harness's server runs as the pod's user too. */
  readonly daemon: string;
}

/**
 * Starts pod `ordinal` as the StatefulSet does while a writer runs on
 * mysql-0, checks how it got its data, then that every pod's sidecar and
 * server run as the pod's user (the sidecar on a read-only root, with no
 * capabilities and no privilege gain, and the manifest's mounts), and that every pod holds every
 * acknowledged row with the same checksum. Returns the start.
 */
export async function cloneUnderWrites(cluster: Cluster, spec: CloneBringUp): Promise<PodStart> {
  let start: PodStart | undefined;
  await withWriter(cluster, spec.scenario, spec.table, async () => {
    start = await startPod(cluster, spec.ordinal, spec.env);
    expect({ plan: initPlanOf(start.initLog), method: initMethodOf(start.initLog), outcome: initOutcomeOf(start.initLog) }).toEqual({
      plan: 'clone',
      method: spec.method,
      outcome: spec.outcome,
    });
    expect(cloneInfoOf(start.pod)?.donor).toBe(spec.donor);
    expect(markerOf(start.pod)?.how).toBe('clone');
    return start.timeToReadyMs;
  });
  for (const pod of cluster.listPods()) {
    expectRestricted(await containerProcesses(pod, CONTAINERS.sidecar));
    await expectAsDeclared(pod, CONTAINERS.sidecar);
    // The data dir is the pod's user's, as in the cluster: the harness's server runs as that user too.
    expect(processFacts(pod.server.pid ?? 0)).toMatchObject({ comm: spec.daemon, uid: RESTRICTED_PROCESS.uid, gid: RESTRICTED_PROCESS.gid });
    await expectTheCliInTheSidecar(cluster, pod);
  }
  if (start === undefined) throw new Error(`${spec.scenario}: the pod never started`);
  return start;
}
