import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTAINERS, HTTP_PORT, runInitContainer, startSidecar, waitForProbe, waitForReady } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { waitFor } from '../cluster/wait.js';
import { cloneInfoOf } from '../support/pod-inspect.js';
import { statusOf, waitForStatus, waitForWrites } from '../support/pod-probes.js';
import { RowWriter } from '../support/row-writer.js';
import type { StatusDocument } from '../../src/http/status-document.js';
import { expectNothingLost } from './support/expect-nothing-lost.js';
import { withWriter } from './support/with-writer.js';
import { checkNothingLost } from './support/nothing-lost.js';
import { finishStart, initOutcomeOf, initPlanOf, markerOf, parseLog, startInParallel, type LogEvent, type PodStart } from './support/pod-start.js';
import { freezeUntilReplicated } from './support/primary-loss.js';
import { replicationThreads } from './support/replica-state.js';
import { E2E_SERVERS, type E2eServer } from './support/servers.js';

/**
 * podManagementPolicy: Parallel (k8s/components/parallel): the controller
 * starts every pod at once, so inits run side by side and each asks peers that
 * are still in init themselves (ARCHITECTURE.md, "Init answers peers"). On
 * MariaDB only: the rule is the same on MySQL (the CLONE plugin's sidecar asks
 * the same findDonors), and one server keeps the suite within its time.
 * `INIT_DEADLINE_SECONDS` is lowered so that an init that waits on its peers
 * (main before init answered) fails within the scenario instead of after 30 min.
 */
const SERVER = E2E_SERVERS.find((candidate) => candidate.flavor === 'mariadb') as E2eServer;
const OVERLAY = 'k8s/overlays/mariadb-10.11-parallel';
const ENV = { READY_CHECKS: '2', INIT_DEADLINE_SECONDS: '90' };
const SCENARIO_TIMEOUT_MS = 300_000;

/** Every plan init decided, in order ('wait', 'bootstrap', 'clone'). */
function plansOf(log: readonly LogEvent[]): string[] {
  return log.filter((event) => event.msg === 'decided how to initialise the data dir').map((event) => String(event.plan));
}

describe(`e2e on ${SERVER.server} with podManagementPolicy: Parallel: every pod's init starts at once, and nothing is lost`, () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: OVERLAY });
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('1P. a fresh set, all three inits at once: mysql-0 bootstraps exactly once, mysql-1 and mysql-2 clone', async () => {
    const starts = await startInParallel(cluster, [0, 1, 2], ENV);
    const [first, second, third] = starts as [PodStart, PodStart, PodStart];
    // mysql-0 may have waited a round for peers whose init had not answered yet; it decided to bootstrap once, and only it did.
    expect(plansOf(first.initLog).filter((plan) => plan !== 'wait')).toEqual(['bootstrap']);
    expect(initOutcomeOf(first.initLog)).toBe('bootstrap');
    expect(first.pod.server.restartCount).toBe(0);
    for (const { pod, initLog } of [second, third]) {
      // Only ever clone; twice when the donor was busy with the other replica's backup (429, one at a time).
      const decided = plansOf(initLog).filter((plan) => plan !== 'wait');
      expect(decided.length).toBeGreaterThan(0);
      expect(new Set(decided)).toEqual(new Set(['clone']));
      expect(initOutcomeOf(initLog)).toBe(SERVER.clone.initOutcome);
      expect(markerOf(pod)?.how).toBe('clone');
    }
    expect(cloneInfoOf(second.pod)?.donor).toBe('mysql-0');
    // mysql-2 takes mysql-1 when it is Ready by then, else mysql-0: both hold mysql-0's data.
    expect(cloneInfoOf(third.pod)?.donor).toMatch(/^mysql-[01]$/);
    await cluster.pod(0).query('CREATE DATABASE app');
    await withWriter(cluster, '1P. parallel bring-up of 3', 'app.parallel_bring_up', async () => Math.max(...starts.map((start) => start.timeToReadyMs)));
  }, SCENARIO_TIMEOUT_MS);

  it('3bP. mysql-1 and mysql-2 recreated at once, mysql-1 without its volume: it clones again from mysql-0, mysql-2 keeps its data', async () => {
    await withWriter(cluster, '3bP. parallel recreate, one volume removed', 'app.parallel_reclone', async () => {
      const before = cloneInfoOf(cluster.pod(1));
      await cluster.deletePod(1);
      await cluster.deletePod(2);
      cluster.removePodData(1);
      const [fresh, kept] = (await startInParallel(cluster, [1, 2], ENV)) as [PodStart, PodStart];
      expect(plansOf(fresh.initLog).filter((plan) => plan !== 'wait')).toEqual(['clone']);
      expect(cloneInfoOf(fresh.pod)?.donor).toBe('mysql-0');
      expect(cloneInfoOf(fresh.pod)?.finishedAt).not.toBe(before?.finishedAt);
      expect(initOutcomeOf(kept.initLog)).toBe('kept');
      expect(initPlanOf(kept.initLog)).toBeUndefined();
      return Math.max(fresh.timeToReadyMs, kept.timeToReadyMs);
    });
  }, SCENARIO_TIMEOUT_MS);

  it("8P. the whole set restarts at once with mysql-0's volume lost, the replicas' servers slower than their sidecars: mysql-0 waits for them and clones the data back", async () => {
    const replicas = (): Pod[] => cluster.listPods().filter((pod) => pod.n > 0);
    const table = 'app.parallel_lost_primary';
    await cluster.pod(0).query(`CREATE TABLE ${table} (id INT PRIMARY KEY, note VARCHAR(64))`);
    const writer = new RowWriter(() => cluster.pod(0).connect(), table);
    writer.start();
    let acknowledged: number[];
    let positionAtLoss: string;
    let start: PodStart;
    let waitedFor: StatusDocument;
    try {
      await waitForWrites(writer, 50);
      positionAtLoss = await freezeUntilReplicated(SERVER, cluster.pod(0), replicas());
      for (const n of [0, 1, 2]) await cluster.deletePod(n);
      cluster.removePodData(0);
      // The kubelet starts a pod's containers without waiting for the server's probes: each replica's
      // sidecar answers (data dir initialized, server down) while its server is still starting.
      for (const n of [1, 2]) {
        const pod = await cluster.addPod(n);
        expect(initOutcomeOf(parseLog((await runInitContainer(cluster, pod, ENV)).stdout))).toBe('kept');
        startSidecar(cluster, pod, ENV);
        await waitForStatus(pod, 'its data dir, server down', (doc) => doc.dataDir === 'initialized' && !doc.server.up);
      }
      const startedAt = Date.now();
      const primaryPod = await cluster.addPod(0);
      const pendingInit = runInitContainer(cluster, primaryPod, ENV);
      // mysql-0's init says, on its own /status, that it waits for the replicas holding data.
      waitedFor = await waitFor(
        async () => {
          const response = await primaryPod.httpGet(HTTP_PORT, '/status').catch(() => undefined);
          const doc = response?.status === 200 ? (JSON.parse(response.body) as StatusDocument) : undefined;
          return doc?.init?.phase === 'waiting-for-donor' ? doc : undefined;
        },
        { what: "mysql-0's init to say on /status that it waits for the replicas' servers", timeoutMs: 30_000, intervalMs: 100 },
      );
      for (const pod of replicas()) {
        await pod.startServer();
        await waitForProbe(pod, CONTAINERS.server, 'startupProbe', 60_000);
      }
      start = await finishStart(cluster, primaryPod, ENV, pendingInit, startedAt);
      await waitForWrites(writer, 50);
    } finally {
      acknowledged = await writer.stop();
    }
    expect(waitedFor.init?.reason).toBe('peers holding data are not up yet (mysql-1, mysql-2): waiting to clone from the most advanced');
    expect({ dataDir: waitedFor.dataDir, ready: waitedFor.ready, up: waitedFor.server.up }).toEqual({ dataDir: 'empty', ready: false, up: false });
    expect(plansOf(start.initLog)).not.toContain('bootstrap');
    expect(initPlanOf(start.initLog)).toBe('clone');
    const clone = cloneInfoOf(start.pod);
    expect(clone?.donor).toMatch(/^mysql-[12]$/);
    expect(clone?.coordinates.gtid?.replace(/\s+/g, '')).toBe(positionAtLoss);
    expect((await statusOf(start.pod)).role).toBe('primary');
    const report = await checkNothingLost({
      scenario: '8P. parallel restart, primary volume lost',
      primary: start.pod,
      replicas: replicas(),
      acknowledged,
      table,
      timeToReadyMs: start.timeToReadyMs,
    });
    expectNothingLost(report, ['mysql-0', 'mysql-1', 'mysql-2']);
    for (const replica of replicas()) {
      await waitForReady(replica, 60_000);
      expect(await replicationThreads(replica)).toEqual(['Yes', 'Yes', 0, '']);
    }
  }, SCENARIO_TIMEOUT_MS);
});
