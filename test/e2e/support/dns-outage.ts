import { runInitContainer, startContainers } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import { isAlive, waitFor, type ExecResult, type Pod } from '../../cluster/index.js';
import { terminationLogOf } from './bad-init.js';
import { spawnInit } from './pod-lifecycle.js';
import { underWrites } from './under-writes.js';

/** Short enough to give up while DNS is still down, long enough for a few tries. */
const DEADLINE_SECONDS = '5';
const RETRY_LINE = /"msg":"not ready to initialise the data dir yet"/g;

export interface DnsOutageOutcome {
  /** Retries the restarted init logged, naming DNS, before DNS came back. */
  readonly retriesWhileDown: number;
  readonly acknowledged: number[];
  /** From DNS answering again to the pod being Ready. */
  readonly timeToReadyMs: number;
}

/**
 * Scenario 7 under writes on mysql-0: DNS stops; the new pod's init gives up
 * at a short deadline (`checkPastDeadline` sees its result and termination log
 * while the volume is as it left it); the kubelet restarts init with the
 * default deadline, which retries until DNS answers again, then clones; then
 * the server and the sidecar start and the pod becomes Ready.
 */
export async function joinUnderDnsOutage(
  cluster: Cluster,
  pod: Pod,
  checkPastDeadline: (result: ExecResult, terminationLog: string) => void,
): Promise<DnsOutageOutcome> {
  const log = terminationLogOf(pod);
  const run = await underWrites(() => cluster.pod(0).connect(), 'app.s7', async () => {
    let retriesWhileDown = 0;
    let init: ReturnType<typeof spawnInit>;
    await cluster.stopDns();
    try {
      log.reset();
      const pastDeadline = await runInitContainer(cluster, pod, { INIT_DEADLINE_SECONDS: DEADLINE_SECONDS });
      checkPastDeadline(pastDeadline, log.read());
      init = spawnInit(cluster, pod, 'init-during-dns-outage');
      retriesWhileDown = await waitFor(
        async () => {
          const text = init.log();
          const retries = text.match(RETRY_LINE)?.length ?? 0;
          return retries >= 2 && text.includes('failed to resolve SRV') ? retries : undefined;
        },
        { what: `${pod.name}'s init to retry discovery twice while DNS is down`, timeoutMs: 60_000, intervalMs: 200 },
      );
    } finally {
      await cluster.startDns();
    }
    const dnsBackAt = Date.now();
    await waitFor(async () => (isAlive(init.process.record) ? undefined : true), { what: `${pod.name}'s init to finish once DNS answers`, timeoutMs: 180_000, intervalMs: 200 });
    const exit = await init.process.exited;
    if (exit.exitCode !== 0) throw new Error(`init of ${pod.name} exited ${exit.exitCode ?? exit.signal} after DNS came back:\n${init.log()}`);
    await startContainers(cluster, pod, {}, 120_000);
    return { retriesWhileDown, timeToReadyMs: Date.now() - dnsBackAt };
  });
  return { ...run.result, acknowledged: run.acknowledged };
}
