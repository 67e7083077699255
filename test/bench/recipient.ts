import { execa } from 'execa';
import type { Cluster, Pod } from '../cluster/index.js';

/** The pod every empty-pod trial starts: mysql-1, cloned from mysql-0. */
export const RECIPIENT = 1;

/** mysql-1 as a new pod on a wiped volume: processes killed, conf.d and run emptied, data dir empty; flushed, untimed. */
export async function emptyRecipient(cluster: Cluster): Promise<Pod> {
  const exists = cluster.listPods().some((pod) => pod.n === RECIPIENT);
  const pod = exists ? await cluster.recreatePod(RECIPIENT) : await cluster.addPod(RECIPIENT);
  cluster.removePodData(RECIPIENT);
  await execa('sync');
  return pod;
}
