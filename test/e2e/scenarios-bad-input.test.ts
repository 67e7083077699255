import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLONE_PORT, HTTP_PORT, runAgentIn, runInitContainer } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import { isAlive, type Pod } from '../cluster/index.js';
import { pidsNamed } from '../support/pod-inspect.js';
import { metricsOf, startPrimaryWithRows } from '../support/pod-probes.js';
import { RowWriter } from '../support/row-writer.js';
import { expectFailedInit, expectInitWithoutCloneSecret, RELAY_PORT, startCorruptingRelay, terminationLogOf } from './support/bad-init.js';
import { fuzzPort } from './support/http-fuzz.js';
import { counter } from './support/metrics.js';
import { checkNothingLost } from './support/nothing-lost.js';
import { sidecarOf } from './support/pod-lifecycle.js';
import { joinUnderDnsOutage } from './support/dns-outage.js';
import { EACH_SERVER } from './support/servers.js';
import { expectNothingLost } from './support/under-writes.js';
import { expectClonePluginRefused, expectStreamRefused } from './support/wrong-clone-secret.js';

const FUZZ_RUNS = 150;
/** A MySQL clone restarts the server; other test runs share the two cores. A scenario over budget fails rather than runs on. */
const SCENARIO_TIMEOUT_MS = 300_000;

/**
 * What a StatefulSet meets when its input is wrong: a bad pod name, a missing
 * Secret, a wrong clone secret, a damaged clone stream, a DNS outage during
 * init, garbage on its ports. Every failure is one clear line and an empty
 * volume (or, with the CLONE plugin, a pod that is never Ready and says why);
 * nothing crashes and no acknowledged row is lost meanwhile. The damaged clone
 * stream is the backup stream's own: MySQL pods clone with the CLONE plugin,
 * whose stream goes between two servers, and the wrong secret is their case.
 */
describe.each(EACH_SERVER)('e2e on %s: bad input', (_name, server) => {
  const streams = server.clone.method === 'backup-stream';
  let cluster: Cluster;
  let primary: Pod;
  let joiner: Pod;
  let writer: RowWriter;

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: server.overlay });
    primary = await startPrimaryWithRows(cluster, {});
    await primary.query('CREATE TABLE app.s10 (id INT PRIMARY KEY, note VARCHAR(64))');
    // Scenario 10's writer runs through every test of this file, until the final check.
    writer = new RowWriter(() => primary.connect(), 'app.s10');
    writer.start();
    joiner = await cluster.addPod(1);
  });
  afterAll(async () => {
    await writer?.stop();
    await cluster?.down();
  });

  it('10. a malformed pod name: init and serve exit 3 with one line naming POD_NAME, and write nothing', async () => {
    const log = terminationLogOf(joiner);
    for (const name of ['mysql', 'mysql-x', 'MySQL-1', 'mysql-01', 'mysql_1', `mysql-${'9'.repeat(20)}`]) {
      log.reset();
      const init = await runInitContainer(cluster, joiner, { POD_NAME: name });
      expectFailedInit(joiner, init, { exitCode: 3, line: /: invalid configuration: POD_NAME: pod name "[^"]+" (has no ordinal|is not a DNS label|has an ordinal too large)/, terminationLog: log.read() });
      expect(init.stdout).toBe('');
      expect(readdirSync(joiner.paths.confD)).toEqual([]);
    }
    const serve = await runAgentIn(cluster, joiner, ['serve'], { POD_NAME: 'mysql-x' });
    expect(serve.exitCode).toBe(3);
    expect(serve.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mysql-sts-agent serve: invalid configuration: POD_NAME: pod name "mysql-x" has no ordinal/)]);
  });

  it('10. a missing or unreadable Secret: exit 3 with one line naming the setting, never the other secrets', async () => {
    const noCloneSecret = await expectInitWithoutCloneSecret(cluster, joiner);
    const unreadable = await runInitContainer(cluster, joiner, { CLONE_SECRET_FILE: '/run/secrets/missing/clone-secret' });
    expectFailedInit(joiner, unreadable, { exitCode: 3, line: /CLONE_SECRET_FILE="\/run\/secrets\/missing\/clone-secret": cannot read the file \(ENOENT\): mount the Secret there/ });
    const serve = await runAgentIn(cluster, joiner, ['serve'], { MYSQL_ROOT_PASSWORD_FILE: '' });
    expect(serve.exitCode).toBe(3);
    expect(serve.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mysql-sts-agent serve: invalid configuration: MYSQL_ROOT_PASSWORD \(or MYSQL_ROOT_PASSWORD_FILE\) is unset/)]);
    const output = [...noCloneSecret, unreadable, serve].map((result) => result.stdout + result.stderr).join('\n');
    expect(output).not.toContain(cluster.secrets.rootPassword);
  });

  it(
    streams
      ? '10. a wrong clone secret: the donor answers 401 and serves nothing; init with it fails with a clear line and an empty data dir'
      : "10. a wrong clone secret: the donor's answers do not check, so its server is never asked; init stops at once with a clear line and an empty data dir",
    async () => {
      if (streams) await expectStreamRefused(cluster, primary, joiner);
      else await expectClonePluginRefused(cluster, primary, joiner);
    },
    SCENARIO_TIMEOUT_MS,
  );

  // The backup stream's own failure; a MySQL pod's clone is a stream between two servers (see the wrong secret above).
  if (streams) it.each([
    ['flip', 'one byte in every 4 KiB inverted after the first MiB'],
    ['truncate', 'cut after the first MiB'],
  ] as const)('10. a damaged clone stream (%s: %s): the clone fails, no marker, an empty data dir', async (damage, _how) => {
    expect(readdirSync(joiner.paths.data)).toEqual([]);
    const relay = await startCorruptingRelay(primary, damage, 1024 * 1024);
    try {
      const init = await runInitContainer(cluster, joiner, { CLONE_PORT: String(RELAY_PORT), INIT_DEADLINE_SECONDS: '3' });
      const line = expectFailedInit(joiner, init, { exitCode: 5, line: /failed to clone from any donor: / });
      expect(line).toMatch(/mbstream failed to unpack the stream from mysql-0|the backup from mysql-0 is incomplete|the stream from mysql-0 was cut/);
      // The damage happened mid-stream, after files had landed (the wipe had something to remove).
      expect(init.stdout).toMatch(/"msg":"clone failed; trying the next donor"/);
      expect(relay.damaged().length).toBeGreaterThan(0);
    } finally {
      await relay.stop();
    }
  });

  it(`7. DNS down while a pod initialises${streams ? '' : ', and again while its sidecar looks for a donor'}: past its deadline init exits 4 naming DNS, empty data dir; restarted, it retries until DNS returns, clones, is Ready; nothing lost`, async () => {
    const outcome = await joinUnderDnsOutage(cluster, server, joiner, (pastDeadline, terminationLog) => {
      expectFailedInit(joiner, pastDeadline, {
        exitCode: 4,
        line: /: failed to discover peers: failed to resolve SRV _mysql\._tcp\.mysql\.default\.svc\.cluster\.local: 198\.18\.0\.2:53 (refused the connection|timed out)/,
        terminationLog,
      });
      expect(pastDeadline.stdout).toMatch(/"msg":"not ready to initialise the data dir yet"/);
    });
    expect(outcome.retriesWhileDown).toBeGreaterThanOrEqual(2);
    const report = await checkNothingLost({
      scenario: '7. DNS down during init',
      primary,
      replicas: [joiner],
      acknowledged: outcome.acknowledged,
      table: 'app.s7',
      timeToReadyMs: outcome.timeToReadyMs,
    });
    expectNothingLost(report);
  }, SCENARIO_TIMEOUT_MS);

  // A MySQL pod's sidecar donates nothing itself (its server does), so it does not listen on 3307 at all.
  it(`10. garbage requests (fast-check) on ${streams ? '8080 and 3307' : '8080 (3307 closed)'} of both pods: no crash, no 5xx but a probe's 503, /healthz 200; nothing lost`, async () => {
    for (const pod of [primary, joiner]) {
      const sidecar = sidecarOf(pod);
      const served = counter(await metricsOf(pod), 'mysql_sts_clone_served_bytes_total');
      if (!streams) expect((await pod.exec('ss', ['-ltnH', `sport = :${CLONE_PORT}`])).stdout.trim()).toBe('');
      const sockets = await Promise.all((streams ? [HTTP_PORT, CLONE_PORT] : [HTTP_PORT]).map((port) => pod.forward(port)));
      const results = await Promise.all(sockets.map((socket) => fuzzPort(socket, FUZZ_RUNS)));
      // Not vacuous: most garbage got an answer from the server (a 4xx), not only a closed connection.
      for (const { answered } of results) expect(answered).toBeGreaterThan(FUZZ_RUNS / 2);
      expect(isAlive(sidecar), `${pod.name}'s sidecar survived the garbage`).toBe(true);
      expect(sidecarOf(pod).pid).toBe(sidecar.pid);
      expect((await pod.httpGet(HTTP_PORT, '/healthz')).status).toBe(200);
      expect(counter(await metricsOf(pod), 'mysql_sts_clone_served_bytes_total')).toBe(served);
      expect(await pidsNamed(pod, 'mariadb-backup')).toEqual([]);
    }
    const acknowledged = await writer.stop();
    expect(readFileSync(join(primary.paths.logs, 'sidecar.log'), 'utf8')).not.toMatch(/"level":(50|60)/);
    const report = await checkNothingLost({ scenario: '10. bad input + HTTP fuzz', primary, replicas: [joiner], acknowledged, table: 'app.s10' });
    expectNothingLost(report);
  });
});
