import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HTTP_PORT, startAgentPod } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { sleep, waitFor } from '../../cluster/wait.js';
import { cloneInfoOf, tableDigest } from '../../support/pod-inspect.js';
import { RowWriter } from '../../support/row-writer.js';
import { numbersTable } from '../../support/numbers.js';
import { metricsOf, missingRows, readyzOf, sample, statusOf, waitForReadyz, waitForSameData, waitForWrites } from '../../support/pod-probes.js';
import { SERVER_CASES } from '../../support/server-sql.js';
import { behaviourOf, startSetOf } from './server-behaviour.js';
import { accountCount, familyNames, grantsOf, killSidecarConnections, questions } from './sidecar-sql.js';

const MAX_LAG_SECONDS = 5;
const ENV = { READY_CHECKS: '2', READY_MAX_LAG_SECONDS: String(MAX_LAG_SECONDS) };
const README = new URL('../../../README.md', import.meta.url);
const PT_HEARTBEAT_TS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}$/;
/** Two clones in a row: with MySQL's CLONE plugin each restarts its server, ~25 s a pod on a busy 2-core machine. */
const CLONES_TIMEOUT_MS = 180_000;

for (const server of SERVER_CASES) {
  describe(`replication on ${server.server}: replicas catch up, survive primary restarts, and export honest metrics`, () => {
    const behaviour = behaviourOf(server);
    let cluster: Cluster;
    let primary: Pod;
    const replicas: Pod[] = [];
    const pods = (): Pod[] => [primary, ...replicas];

    beforeAll(async () => {
      ({ cluster, primary } = await startSetOf(server, ENV));
      // Some data before the clones, so they have something to copy.
      await primary.query(`INSERT INTO app.rows SELECT -n, REPEAT('x', 64) FROM ${numbersTable(20_000)} AS numbers`);
      // The restart test's writer starts at id 1 again: its own table.
      await primary.query('CREATE TABLE app.restarts (id INT PRIMARY KEY, note VARCHAR(64))');
    });
    afterAll(async () => {
      await cluster?.down();
    });

    it('replicas cloned under a running writer catch up and become Ready; every acknowledged row arrives', async () => {
      const writer = new RowWriter(() => primary.connect(), 'app.rows');
      writer.start();
      let acknowledged: number[];
      try {
        await waitForWrites(writer, 50);
        // mysql-1 clones from mysql-0, mysql-2 from mysql-1 (a replica's GTID position): each is Ready while writes go on.
        replicas.push(await startAgentPod(cluster, 1, ENV));
        replicas.push(await startAgentPod(cluster, 2, ENV));
        for (const replica of replicas) {
          const document = await statusOf(replica);
          expect(document.ready).toBe(true);
          expect(document.reasons).toEqual([]);
          expect(document.replication).toMatchObject({ ioRunning: true, sqlRunning: true, lastIoErrno: 0, lastSqlErrno: 0 });
          expect(document.lag).toMatchObject({ known: true, method: 'heartbeat' });
          expect(document.lag?.seconds).toBeLessThanOrEqual(MAX_LAG_SECONDS);
          expect(document.errant).toBeNull();
        }
        // Rows written after both clones keep arriving.
        await waitForWrites(writer, 100);
        const last = writer.acknowledged.at(-1) as number;
        for (const replica of replicas) {
          await waitFor(async () => ((await replica.query('SELECT id FROM app.rows WHERE id = ?', [last])).length === 1 ? true : undefined), {
            what: `row ${last} on ${replica.name}`,
            timeoutMs: 15_000,
          });
        }
      } finally {
        acknowledged = await writer.stop();
      }
      expect(writer.errors).toBe(0);
      expect(cloneInfoOf(replicas[0] as Pod)?.donor).toBe('mysql-0');
      expect(cloneInfoOf(replicas[1] as Pod)?.donor).toBe('mysql-1');
      const digest = await waitForSameData(primary, replicas, 'app.rows');
      expect(digest.count).toBe(20_000 + acknowledged.length);
      for (const replica of replicas) {
        expect(await tableDigest(replica, 'app.rows')).toEqual(digest);
        expect(await missingRows(replica, 'app.rows', acknowledged)).toEqual([]);
      }
    }, CLONES_TIMEOUT_MS);

    it('/metrics of the primary and of a replica pass promtool check metrics', async () => {
      for (const pod of [primary, replicas[0] as Pod]) {
        const text = await metricsOf(pod);
        const check = await execa('promtool', ['check', 'metrics'], { input: text, reject: false });
        expect({ pod: pod.name, exitCode: check.exitCode, output: `${check.stdout}${check.stderr}`.trim() }).toEqual({
          pod: pod.name,
          exitCode: 0,
          output: '',
        });
      }
    });

    it("README's metrics table lists every mysql_sts_ metric the sidecars expose", async () => {
      const exposed = new Set<string>();
      for (const pod of [primary, replicas[0] as Pod]) {
        for (const name of familyNames(await metricsOf(pod))) {
          if (!/^mysql_sts_(process|nodejs)_/.test(name)) exposed.add(name);
        }
      }
      // The loop's own metrics are among them (so the comparison below is not vacuous).
      for (const name of ['mysql_sts_ready', 'mysql_sts_replication_lag_seconds', 'mysql_sts_replication_lag_known', 'mysql_sts_heartbeat_writes_total']) {
        expect(exposed).toContain(name);
      }
      const tableRows = readFileSync(README, 'utf8')
        .split('\n')
        .filter((line) => line.startsWith('| `mysql_sts_'));
      const documented = new Set(tableRows.map((line) => /^\| `(mysql_sts_[a-z0-9_]+)/.exec(line)?.[1]));
      expect(documented).toContain('mysql_sts_agent_info');
      expect([...exposed].filter((name) => !documented.has(name)).sort()).toEqual([]);
    });

    it('creates least-privilege users: replication may only replicate, the agent only from loopback and only what it needs', async () => {
      expect((await grantsOf(primary, 'repl', '%'))[0]).toMatch(/^GRANT REPLICATION SLAVE ON \*\.\* TO `repl`@`%`/);
      for (const host of ['127.0.0.1', '::1', 'localhost']) {
        expect(await grantsOf(primary, 'mysql_sts_agent', host)).toEqual(behaviour.agentGrants.map((grant) => expect.stringMatching(grant)));
      }
      expect(await accountCount(primary, "User = 'mysql_sts_agent' AND Host = '%'")).toBe(0);
      // MySQL's CLONE plugin donor user: BACKUP_ADMIN only (MariaDB pods clone with the backup stream: no such user).
      const cloneUsers = await accountCount(primary, "User = 'mysql_sts_clone'");
      expect(cloneUsers === 0 ? [] : await grantsOf(primary, 'mysql_sts_clone', '%')).toEqual(behaviour.cloneUserGrants.map((grant) => expect.stringMatching(grant)));
      // The users replicated: a replica has the same accounts, created by nobody but the primary.
      expect(await accountCount(replicas[0] as Pod, "User IN ('repl', 'mysql_sts_agent')")).toBe(4);
    });

    it("the heartbeat answers pt-heartbeat's query on a replica with UTC text, also when the servers' time zone is not UTC", async () => {
      const replica = replicas[0] as Pod;
      // A heartbeat written in local time would be 5 h off: make the sessions' zone non-UTC and let the sidecars reconnect.
      for (const pod of [primary, replica]) {
        await pod.query("SET GLOBAL time_zone = '-05:00'");
        expect(await killSidecarConnections(pod)).toBeGreaterThan(0);
      }
      try {
        await waitFor(async () => ((await primary.query("SELECT ID FROM information_schema.PROCESSLIST WHERE HOST LIKE '127.0.0.1:%'")).length > 0 ? true : undefined), {
          what: "mysql-0's sidecar to reconnect",
          timeoutMs: 10_000,
        });
        await sleep(2_500); // heartbeats written by the new session have replicated
        const [row] = await replica.query<{ ts: string; server_id: number }>('SELECT ts, server_id FROM heartbeat.heartbeat WHERE server_id = 100');
        const [clock] = await replica.query<{ now: string }>("SELECT DATE_FORMAT(UTC_TIMESTAMP(6), '%Y-%m-%dT%H:%i:%s.%f') AS now");
        expect(row?.server_id).toBe(100);
        expect(row?.ts).toMatch(PT_HEARTBEAT_TS);
        const ageMs = Date.parse(`${clock?.now.slice(0, 23)}Z`) - Date.parse(`${row?.ts.slice(0, 23)}Z`);
        expect(ageMs).toBeGreaterThanOrEqual(-1_000);
        expect(ageMs).toBeLessThan(3_000);
        // The replica's sidecar measures the same: Ready, small lag.
        await waitForReadyz(replica, 200, { timeoutMs: 10_000 });
        const document = await statusOf(replica);
        expect(document.lag?.seconds).toBeLessThan(3);
      } finally {
        for (const pod of [primary, replica]) await pod.query("SET GLOBAL time_zone = 'SYSTEM'");
      }
    });

    it("the primary's sidecar closes root's connection with a goodbye: mysqld logs no aborted connection of root", async () => {
      // MariaDB logs an aborted connection as a warning; MySQL 9.7 as a note, which its default verbosity leaves out.
      const log = readFileSync(join(primary.paths.logs, 'mysqld.err'), 'utf8');
      expect(log).toMatch(/ready for connections/);
      expect(log.split('\n').filter((line) => /Aborted connection .*user: 'root'/.test(line))).toEqual([]);
    });

    it('a replica someone made writable is set read-only again, with a warning in the log and a count in the metrics', async () => {
      const [replica] = replicas;
      if (replica === undefined) throw new Error('no replica: the first test clones them');
      await replica.query(server.flavor === 'mysql' ? 'SET GLOBAL super_read_only = OFF, read_only = OFF' : 'SET GLOBAL read_only = OFF');
      const restored = await waitFor(
        async () => {
          const text = await metricsOf(replica);
          return Number(sample(text, 'mysql_sts_replication_read_only_restored_total')) >= 1 ? text : undefined;
        },
        { what: `${replica.name}'s sidecar to set read-only again`, timeoutMs: 10_000, intervalMs: 200 },
      );
      expect(sample(restored, 'mysql_sts_replication_read_only_restored_total')).toBe('1');
      const [row] = await replica.query('SELECT @@read_only AS readOnly');
      expect(Number(row?.readOnly)).toBe(1);
      const log = readFileSync(join(replica.paths.logs, 'sidecar.log'), 'utf8');
      expect(log).toMatch(/"level":"warn"[^\n]*"msg":"the replica was writable: set it read-only again"/);
    });

    it('probes and scrapes run no SQL: 200 requests add no more Questions than the loop alone in the same time', async () => {
      const replica = replicas[0] as Pod;
      await replica.httpGet(HTTP_PORT, '/metrics'); // the forwarder is up before timing starts
      const windowMs = 2_000;
      const measure = async (during: () => Promise<void>): Promise<number> => {
        const started = Date.now();
        const before = await questions(replica);
        await during();
        await sleep(Math.max(0, started + windowMs - Date.now()));
        return (await questions(replica)) - before;
      };
      const baseline = await measure(async () => undefined);
      const statuses: number[] = [];
      const withRequests = await measure(async () => {
        const paths = Array.from({ length: 200 }, (_unused, i) => (i % 2 === 0 ? '/readyz' : '/metrics'));
        for (let i = 0; i < paths.length; i += 20) {
          const batch = await Promise.all(paths.slice(i, i + 20).map((path) => replica.httpGet(HTTP_PORT, path)));
          statuses.push(...batch.map((response) => response.status));
        }
      });
      expect(statuses).toHaveLength(200);
      expect(statuses.every((status) => status === 200)).toBe(true);
      // The loop's few queries a second are in both windows; a query per request would add 200.
      expect(baseline).toBeGreaterThan(0);
      expect(withRequests - baseline).toBeLessThan(10);
    });

    it('replicas reconnect by themselves after mysql-0 is killed and restarted, then stopped and started; no acknowledged row is lost on any pod', async () => {
      const writer = new RowWriter(() => primary.connect(), 'app.restarts');
      writer.start();
      let acknowledged: number[];
      try {
        for (const outage of ['kill', 'stop'] as const) {
          await waitForWrites(writer, 50);
          if (outage === 'kill') await primary.killServer();
          else await primary.stopServer();
          // The replicas notice (not Ready: the IO thread down, the lag unknown) before the primary comes back, so coming
          // back is their own doing. A check made while the primary shut down may still give the growing lag as the reason:
          // MySQL's clean shutdown takes seconds, and its replicas' IO threads stay connected until its very end.
          for (const replica of replicas) {
            const out = await waitForReadyz(replica, 503, { timeoutMs: 15_000, reasons: [/IO thread|lag unknown/] });
            expect(out.reasons.join('\n')).toMatch(/IO thread|lag unknown/);
          }
          await primary.startServer();
          await waitForWrites(writer, 50);
          const last = writer.acknowledged.at(-1) as number;
          for (const replica of replicas) {
            await waitForReadyz(replica, 200, { timeoutMs: 20_000 });
            await waitFor(async () => ((await replica.query('SELECT id FROM app.restarts WHERE id = ?', [last])).length === 1 ? true : undefined), {
              what: `row ${last} written after the ${outage} on ${replica.name}`,
              timeoutMs: 15_000,
            });
          }
          await waitForReadyz(primary, 200, { timeoutMs: 15_000 });
        }
        // The primary's sidecar writes heartbeats again.
        const before = Number(sample(await metricsOf(primary), 'mysql_sts_heartbeat_writes_total'));
        await sleep(2_200);
        expect(Number(sample(await metricsOf(primary), 'mysql_sts_heartbeat_writes_total'))).toBeGreaterThan(before);
      } finally {
        acknowledged = await writer.stop();
      }
      expect(acknowledged.length).toBeGreaterThan(200);
      const digest = await waitForSameData(primary, replicas, 'app.restarts');
      for (const pod of pods()) {
        expect(await tableDigest(pod, 'app.restarts')).toEqual(digest);
        expect(await missingRows(pod, 'app.restarts', acknowledged)).toEqual([]);
        expect((await readyzOf(pod)).status).toBe(200);
      }
    });
  });
}
