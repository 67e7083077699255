import { CONTAINERS, runInitContainer, startContainers, startSidecar, waitForProbe, waitForReady, waitForSidecar } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import { expect } from 'vitest';
import { isAlive, waitFor, type ExecResult, type Pod } from '../../cluster/index.js';
import { terminationLogOf } from './bad-init.js';
import { waitForReadyz, waitForStatus } from '../../support/pod-probes.js';
import { spawnInit } from './pod-lifecycle.js';
import type { E2eServer } from './servers.js';
import { underWrites } from './under-writes.js';

/** Short enough to give up while DNS is still down, long enough for a few tries. */
const DEADLINE_SECONDS = '5';
const RETRY_LINE = /"msg":"not ready to initialise the data dir yet"/g;

export interface DnsOutageOutcome {
  /** Retries the restarted init logged, naming DNS, before DNS came back. */
  readonly retriesWhileDown: number;
  readonly acknowledged: number[];
  /** From DNS answering again (the second time, for the CLONE plugin) to the pod being Ready. */
  readonly timeToReadyMs: number;
}

const READY_TIMEOUT_MS = 120_000;

/**
 * Scenario 7 under writes on mysql-0: DNS stops; the new pod's init gives up
 * at a short deadline (`checkPastDeadline` sees its result and termination log
 * while the volume is as it left it); the kubelet restarts init with the
 * default deadline, which retries until DNS answers again, then clones; then
 * the server and the sidecar start and the pod becomes Ready. With the CLONE
 * plugin, init only asks for the clone and the sidecar looks for donors again
 * (DNS) before it clones: DNS goes down a second time while the server and
 * the sidecar start, and the sidecar must wait with the reason in /readyz,
 * then clone once DNS answers.
 */
export async function joinUnderDnsOutage(
  cluster: Cluster,
  server: E2eServer,
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
    if (server.clone.method === 'clone-plugin') return { retriesWhileDown, timeToReadyMs: await cloneUnderDnsOutage(cluster, pod) };
    await startContainers(cluster, pod, {}, READY_TIMEOUT_MS);
    return { retriesWhileDown, timeToReadyMs: Date.now() - dnsBackAt };
  });
  return { ...run.result, acknowledged: run.acknowledged };
}

/**
 * The CLONE plugin's half of scenario 7: DNS down again, the server starts
 * (it needs no DNS), the sidecar cannot find donors and says so; DNS back,
 * it clones and the pod becomes Ready. Returns the time from DNS back to Ready.
 */
async function cloneUnderDnsOutage(cluster: Cluster, pod: Pod): Promise<number> {
  await cluster.stopDns();
  try {
    await pod.startServer({ timeoutMs: READY_TIMEOUT_MS });
    await waitForProbe(pod, CONTAINERS.server, 'startupProbe', READY_TIMEOUT_MS);
    startSidecar(cluster, pod);
    await waitForSidecar(pod);
    const srv = /failed to resolve SRV _mysql\._tcp\.mysql\.default\.svc\.cluster\.local: 198\.18\.0\.2:53 (refused the connection|timed out)/;
    const waiting = await waitForStatus(pod, 'a clone waiting for DNS', (doc) => doc.cloning?.phase === 'waiting', 60_000);
    expect(waiting.cloning?.lastError).toMatch(srv);
    await waitForReadyz(pod, 503, { timeoutMs: 30_000, reasons: [new RegExp(`^waiting to clone: .*${srv.source}`)] });
    expect(pod.server.restartCount).toBe(0);
  } finally {
    await cluster.startDns();
  }
  const dnsBackAt = Date.now();
  await waitForReady(pod, READY_TIMEOUT_MS);
  expect(pod.server.restartCount).toBe(1);
  return Date.now() - dnsBackAt;
}
