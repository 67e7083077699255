import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { sleep } from '../cluster/wait.js';
import { readyzOf, startPrimaryWithRows, waitForReadyz, waitForStatus, waitForWrites } from '../support/pod-probes.js';
import { checkNothingLost } from './support/nothing-lost.js';
import { agentFilesOf, restartPod, stopSidecar } from './support/pod-lifecycle.js';
import { startPod } from './support/pod-start.js';
import { EACH_SERVER } from './support/servers.js';
import { prepareReconnectWatch, waitForNoConnectionsFrom, type ReconnectTimes } from './support/reconnect-watch.js';
import { expectNothingLost, underWrites } from './support/under-writes.js';

/** The number: long enough for every timeout on the way (slave_net_timeout, hysteresis, lag threshold) to fire. */
const CUT_MS = 30_000;
const KILLS = 5;
/** Generous: other test suites share the two cores. */
const FLIP_TIMEOUT_MS = 30_000;
const RECOVERY_TIMEOUT_MS = 90_000;
/** A scenario that runs over its budget must fail, not keep running into the next one. */
const SCENARIO_TIMEOUT_MS = 300_000;
/** Three pods, two of them clones (on MySQL each restarts its server), on a shared 2-core machine. */
const SET_UP_TIMEOUT_MS = 300_000;

/**
 * Faults of a running 3-pod StatefulSet under writes, with the agent's
 * default readiness settings (3 agreeing checks, 10 s lag): a primary that
 * crashes again and again, a replica cut off from the network, a primary that
 * hangs; and a rolling restart. Each ends with every acknowledged row on every
 * pod, on each server.
 */
describe.each(EACH_SERVER)('e2e on %s: faults of a running StatefulSet', (_name, server) => {
  let cluster: Cluster;
  const primary = (): Pod => cluster.pod(0);
  const replicas = (): Pod[] => [cluster.pod(1), cluster.pod(2)];
  const all = (): Pod[] => [primary(), ...replicas()];

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: server.overlay });
    await startPrimaryWithRows(cluster, {});
    // Ready within startPod's generous timeout: a MySQL replica clones and restarts its server first.
    await startPod(cluster, 1);
    await startPod(cluster, 2);
  }, SET_UP_TIMEOUT_MS);
  afterAll(async () => {
    await cluster?.down();
  });

  /** Every pod Ready again, replicas replicating with a known lag; returns when the last one is. */
  async function waitAllReady(): Promise<void> {
    for (const pod of all()) await waitForReadyz(pod, 200, { timeoutMs: RECOVERY_TIMEOUT_MS });
    for (const replica of replicas()) {
      const doc = await waitForStatus(replica, 'replication running with a known lag', (d) => d.replication?.ioRunning === true && d.lag?.known === true);
      expect(doc.reasons).toEqual([]);
    }
  }

  /**
   * What the set must see while mysql-0 is down. The sidecars' own
   * observations always: the primary's server does not answer, the replicas'
   * IO threads are down. Readiness only when the outage surely outlasts a
   * check and a probe (a server down is acted on at the first check that sees
   * it, but the first restart by the kubelet can be quicker than that), which
   * it does from the second crash on (CrashLoopBackOff waits 10 s, then 20 s,
   * …): then the primary and both replicas must answer 503 with the reason.
   */
  async function expectOutageSeen(outlastsHysteresis: boolean): Promise<void> {
    const down = await waitForStatus(primary(), 'its server down', (doc) => !doc.server.up, FLIP_TIMEOUT_MS);
    expect(down.server.error).toBeTruthy();
    for (const replica of replicas()) {
      const doc = await waitForStatus(replica, 'its IO thread down', (d) => d.replication?.ioRunning === false, FLIP_TIMEOUT_MS);
      expect(doc.replication?.ioState).toMatch(/^(Connecting|No)$/);
    }
    if (!outlastsHysteresis) return;
    await waitForReadyz(primary(), 503, { timeoutMs: FLIP_TIMEOUT_MS, reasons: [/^the server does not answer: /] });
    for (const replica of replicas()) {
      await waitForReadyz(replica, 503, { timeoutMs: FLIP_TIMEOUT_MS, reasons: [/^the IO thread is not running/] });
    }
  }

  it(`4. mysql-0's ${server.daemon} killed (kill -9) ${KILLS} times under writes: readiness flips with reasons and recovers, replicas reconnect, nothing lost`, async () => {
    const recoveries: number[] = [];
    const run = await underWrites(() => primary().connect(), 'app.s4', async (writer) => {
      for (let crash = 1; crash <= KILLS; crash++) {
        await waitForWrites(writer, 20);
        await primary().killServer();
        await expectOutageSeen(crash > 1);
        const restartedAt = Date.now();
        await primary().startServer();
        await waitAllReady();
        recoveries.push(Date.now() - restartedAt);
      }
    });
    expect(recoveries).toHaveLength(KILLS);
    // The writer felt every crash: inserts failed and were retried on the restarted server.
    expect(run.errors).toBeGreaterThanOrEqual(KILLS);
    const report = await checkNothingLost({
      scenario: `4. mysql-0 kill -9 x${KILLS} under writes`,
      primary: primary(),
      replicas: replicas(),
      acknowledged: run.acknowledged,
      table: 'app.s4',
      timeToReadyMs: Math.max(...recoveries),
    });
    expectNothingLost(report);
  }, SCENARIO_TIMEOUT_MS);

  it('6a. a replica cut off from the network for 30 s: not Ready with the reason while cut, its dump thread on the primary ended, the rest of the set unaffected; Ready again after, nothing lost', async () => {
    const cut = cluster.pod(2);
    const other = cluster.pod(1);
    let timeToReadyMs = 0;
    let reconnect: ReconnectTimes | undefined;
    const run = await underWrites(() => primary().connect(), 'app.s6a', async (writer) => {
      await cluster.cutLink(cut.n);
      const cutAt = Date.now();
      let watch: ((restoredAt: number) => Promise<ReconnectTimes>) | undefined;
      try {
        const out = await waitForReadyz(cut, 503, { timeoutMs: FLIP_TIMEOUT_MS });
        expect(out.reasons.join('\n')).toMatch(/IO thread is not running|lag unknown|lag [\d.]+ s is above/);
        // The primary's sidecar ends the dump thread blocked on the silent replica while the link is still down.
        await waitForNoConnectionsFrom(primary(), cut.address, cutAt + CUT_MS - Date.now());
        await sleep(Math.max(0, cutAt + CUT_MS - Date.now()));
        // Still out at the end of the cut, with a reason that names replication, while the others serve.
        const end = await readyzOf(cut);
        expect(end.status).toBe(503);
        expect(end.reasons.join('\n')).toMatch(/IO thread|lag/);
        await waitForReadyz(other, 200, { timeoutMs: FLIP_TIMEOUT_MS });
        await waitForReadyz(primary(), 200, { timeoutMs: FLIP_TIMEOUT_MS });
        await waitForWrites(writer, 20);
        watch = await prepareReconnectWatch(primary(), cut, RECOVERY_TIMEOUT_MS);
      } finally {
        await cluster.restoreLink(cut.n);
      }
      const restoredAt = Date.now();
      const ready = waitForReadyz(cut, 200, { timeoutMs: RECOVERY_TIMEOUT_MS }).then(() => Date.now() - restoredAt);
      reconnect = await watch(restoredAt);
      timeToReadyMs = await ready;
    });
    // Only mysql-2 was cut off: the primary acknowledged every insert.
    expect(run.errors).toBe(0);
    const report = await checkNothingLost({
      scenario: '6a. replica link cut 30 s',
      primary: primary(),
      replicas: replicas(),
      acknowledged: run.acknowledged,
      table: 'app.s6a',
      timeToReadyMs,
      reconnect,
    });
    expectNothingLost(report);
  }, SCENARIO_TIMEOUT_MS);

  it(`6b. mysql-0's ${server.daemon} hung (SIGSTOP) for 30 s: no write acknowledged, every pod not Ready with the reason; resumed, all Ready, nothing lost`, async () => {
    let timeToReadyMs = 0;
    const run = await underWrites(() => primary().connect(), 'app.s6b', async (writer) => {
      primary().pauseServer();
      const pausedAt = Date.now();
      try {
        await waitForReadyz(primary(), 503, { timeoutMs: FLIP_TIMEOUT_MS, reasons: [/^the server does not answer: /] });
        for (const replica of replicas()) {
          const out = await waitForReadyz(replica, 503, { timeoutMs: FLIP_TIMEOUT_MS });
          expect(out.reasons.join('\n')).toMatch(/IO thread is not running|lag unknown|lag [\d.]+ s is above/);
        }
        const acknowledgedWhileHung = writer.acknowledged.length;
        await sleep(Math.max(0, pausedAt + CUT_MS - Date.now()));
        expect(writer.acknowledged.length).toBe(acknowledgedWhileHung);
        for (const pod of all()) expect((await readyzOf(pod)).status).toBe(503);
      } finally {
        primary().resumeServer();
      }
      const resumedAt = Date.now();
      await waitAllReady();
      timeToReadyMs = Date.now() - resumedAt;
    });
    const report = await checkNothingLost({
      scenario: '6b. mysql-0 hung (SIGSTOP) 30 s',
      primary: primary(),
      replicas: replicas(),
      acknowledged: run.acknowledged,
      table: 'app.s6b',
      timeToReadyMs,
    });
    expectNothingLost(report);
  }, SCENARIO_TIMEOUT_MS);

  it('9. a rolling restart, highest ordinal first, under writes: each pod stopped cleanly, then init, server, sidecar, Ready; no re-clone, nothing lost', async () => {
    const timesToReady: number[] = [];
    const run = await underWrites(() => primary().connect(), 'app.s9', async (writer) => {
      for (const n of [2, 1, 0]) {
        const volumeBefore = agentFilesOf(cluster.pod(n));
        // What the kubelet does to the old pod: SIGTERM to its containers, which shut down cleanly.
        await stopSidecar(cluster.pod(n));
        await cluster.pod(n).stopServer();
        // The new pod: same volume, fresh namespace and emptyDirs; the StatefulSet waits for it to be Ready.
        const pod = await cluster.recreatePod(n);
        const { initOutput, timeToReadyMs } = await restartPod(cluster, pod);
        timesToReady.push(timeToReadyMs);
        // A replica keeps its clone as it is; mysql-0 made its data dir itself (first boot, no marker), so its first restart adopts it.
        const volumeAfter = agentFilesOf(pod);
        const adopts = n === 0 && volumeBefore.initialized === undefined;
        expect(/"outcome":"(\w+)"/.exec(initOutput)?.[1]).toBe(adopts ? 'adopted' : 'kept');
        expect(initOutput).not.toMatch(/"msg":"cloning"/);
        expect(volumeAfter['clone.json']).toEqual(volumeBefore['clone.json']);
        if (!adopts) expect(volumeAfter).toEqual(volumeBefore);
        await waitForWrites(writer, 20, 60_000);
      }
    });
    for (const replica of replicas()) expect(agentFilesOf(replica)['clone.json']?.text).toMatch(/"donor": "mysql-\d"/);
    await waitAllReady();
    const report = await checkNothingLost({
      scenario: '9. rolling restart 2,1,0 under writes',
      primary: primary(),
      replicas: replicas(),
      acknowledged: run.acknowledged,
      table: 'app.s9',
      timeToReadyMs: Math.max(...timesToReady),
    });
    expectNothingLost(report);
  }, SCENARIO_TIMEOUT_MS);
});
