import { startAgentPod, waitForReady } from '../cluster/agent.js';
import type { Cluster, Pod } from '../cluster/index.js';
import { measureHostSidecar, measureImageSidecar, stopPodSidecar, type SidecarIdle } from './image-sidecar.js';
import { measureImageSizes, type ImageSize } from './image-sizes.js';
import { imageName } from '../support/podman.js';
import { mb } from './probes.js';

/**
 * The images as shipped: each one's size and layers, and the sidecar's idle
 * footprint in the MariaDB image for a real primary (mysql-0) and a real
 * replica (mysql-1), each beside the host's sidecar in the same pod measured
 * in the same run (the baseline: same node release, dist/ of this checkout).
 */
export interface ImageResults {
  readonly idleAfterSeconds: number;
  readonly sizes: readonly ImageSize[];
  /** Per pod: the image's sidecar, then the host's (which keeps running after the section). */
  readonly sidecars: readonly SidecarIdle[];
}

/** mysql-1 as a Ready replica: reused when an earlier section left its sidecar running, else brought up (init clones it from mysql-0). */
async function readyReplica(cluster: Cluster): Promise<Pod> {
  const pod = cluster.listPods().find((candidate) => candidate.n === 1);
  if (pod !== undefined && pod.processes().some((record) => record.label === 'sidecar')) return pod;
  return startAgentPod(cluster, 1);
}

function describe(idle: SidecarIdle): string {
  const h = idle.healthzMs;
  return (
    `    ${idle.pod} ${idle.where}: ${idle.role}, ${idle.ready ? 'Ready' : 'NOT Ready'}; RSS ${mb(idle.rssBytes)} MB (anon ${mb(idle.rssAnonBytes)}, file ${mb(idle.rssFileBytes)}), ` +
    `${idle.threads} threads, \`${idle.command}\`; /healthz p50 ${h.p50} ms, p99 ${h.p99} ms, max ${h.max} ms (${h.count} sequential, statuses ${JSON.stringify(h.statuses)})`
  );
}

/** Runs on a MariaDB set whose mysql-0 is up with its sidecar; leaves mysql-0 and mysql-1 Ready with host sidecars. */
export async function runImageSection(input: { cluster: Cluster; primary: Pod; idleAfterSeconds: number; say: (line: string) => void }): Promise<ImageResults> {
  const { cluster, primary, idleAfterSeconds, say } = input;
  say('');
  say('images: size and layers; the sidecar idle in the MariaDB image against the host\'s, in the same pods');
  const sizes = await measureImageSizes(say);
  for (const size of sizes) say(`  ${size.reference}: ${mb(size.bytes)} MB in ${size.layers.length} layers (${size.layers.map((layer) => `${mb(layer.bytes)}`).join(' + ')} MB)`);
  const replica = await readyReplica(cluster);
  const image = imageName('mariadb');
  const sidecars: SidecarIdle[] = [];
  for (const pod of [primary, replica]) {
    say(`  ${pod.name}: its sidecar stopped, then ${image}'s in the pod's network namespace, then a new one on the host; each measured ${idleAfterSeconds} s after its start`);
    await stopPodSidecar(pod);
    sidecars.push(await measureImageSidecar(cluster, pod, image, idleAfterSeconds));
    say(describe(sidecars.at(-1) as SidecarIdle));
    sidecars.push(await measureHostSidecar(cluster, pod, idleAfterSeconds));
    say(describe(sidecars.at(-1) as SidecarIdle));
    await waitForReady(pod);
  }
  return { idleAfterSeconds, sizes, sidecars };
}
