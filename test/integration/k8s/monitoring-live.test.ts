import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLONE_PORT, startAgentPod } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { waitFor } from '../../cluster/wait.js';
import { metricsOf as scrape, sample } from '../../support/pod-probes.js';
import { operatorSql, serverVersionOf } from '../../support/server-sql.js';
import { alertRules, metricNamesIn, promtool, readPrometheusRule, writePromTestFile, writeRulesFile } from './monitoring-assets.js';
import { parseExposition, replay, TARGET, type Scrape } from './scrape-replay.js';

/**
 * The alert rules against what real sidecars (real MariaDB, harness pods)
 * export: their scrapes are replayed into `promtool test rules` as Prometheus
 * would store them, so a rule that names a series the agent does not export,
 * or reads its values wrongly, fails here. Annotations are left out of the
 * rules: alerts.promtest.yaml checks how they render; here only which alerts fire.
 */

const MINUTES = 30;
const rules = alertRules();
const dir = mkdtempSync(join(tmpdir(), 'msa-live-rules-'));
const rulesFile = writeRulesFile(
  dir,
  readPrometheusRule().spec.groups.map((group) => ({ ...group, rules: group.rules.map(({ annotations: _dropped, ...rule }) => rule) })),
);

/** What one alert is expected to produce: the labels of each firing alert beyond the rule's own. */
type Expected = Readonly<Record<string, readonly Readonly<Record<string, string>>[]>>;

/** Runs every alert rule over the replayed scrapes at `evalMinute`; alerts missing from `expected` must stay quiet. */
async function alertsAt(name: string, scrapes: readonly Scrape[], evalMinute: number, expected: Expected) {
  const alert_rule_test = rules.map((rule) => ({
    eval_time: `${evalMinute}m`,
    alertname: rule.alert,
    exp_alerts: (expected[rule.alert] ?? []).map((labels) => ({
      exp_labels: { ...TARGET, instance: `${labels.pod}:8080`, ...rule.labels, ...labels },
    })),
  }));
  const tests = { rule_files: [], evaluation_interval: '1m', tests: [{ name, interval: '1m', input_series: replay(scrapes, MINUTES), alert_rule_test }] };
  return promtool(['test', 'rules', writePromTestFile(mkdtempSync(join(dir, 'case-')), tests, rulesFile)]);
}

describe('alert rules on real sidecar scrapes (mysql-0 primary, mysql-1 replica)', () => {
  let cluster: Cluster;
  let primary: Pod;
  let replica: Pod;
  const healthy: Scrape[] = [];

  beforeAll(async () => {
    cluster = await Cluster.create();
    primary = await startAgentPod(cluster, 0, { READY_CHECKS: '2' });
    replica = await startAgentPod(cluster, 1, { READY_CHECKS: '2' });
  });
  afterAll(async () => {
    await cluster?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('a healthy set that has served a clone fires no alert', async () => {
    healthy.push({ pod: primary.name, fromMinute: 0, text: await scrape(primary) }, { pod: replica.name, fromMinute: 0, text: await scrape(replica) });
    // The scrapes hold what the rules select, so "no alert" is not for want of series.
    const exported = new Set(healthy.flatMap((one) => parseExposition(one.text).map((sample) => sample.name)));
    const selected = new Set(rules.flatMap((rule) => metricNamesIn(rule.expr)));
    // Labelled counters are exported at 0 from the start, so every selected series is there.
    expect([...selected].filter((name) => !exported.has(name) && name !== 'up')).toEqual([]);
    expect(sample(healthy[1]?.text ?? '', 'mysql_sts_replication_lag_known')).toBe('1');
    const run = await alertsAt('healthy', healthy, 25, {});
    expect(run, run.output).toMatchObject({ exitCode: 0 });
  });

  it('replication stopped by hand and an unsigned clone request fire their alerts, and nothing else', async () => {
    await replica.query(operatorSql((await serverVersionOf(replica)).flavor).stopReplica);
    const stopped = await waitFor(
      async () => {
        const text = await scrape(replica);
        const done = ['mysql_sts_replication_io_running', 'mysql_sts_replication_sql_running', 'mysql_sts_ready'].every((name) => sample(text, name) === '0');
        return done ? text : undefined;
      },
      { what: `${replica.name}'s metrics to show both threads stopped and not Ready`, timeoutMs: 20_000 },
    );
    const unsigned = await primary.httpGet(CLONE_PORT, '/v1/backup');
    expect(unsigned.status).toBe(401);
    const scrapes = [...healthy, { pod: replica.name, fromMinute: 5, text: stopped }, { pod: primary.name, fromMinute: 5, text: await scrape(primary) }];

    const before = await alertsAt('before the stop', scrapes, 4, {});
    expect(before, before.output).toMatchObject({ exitCode: 0 });
    const replicaLabels = { pod: replica.name };
    const after = await alertsAt('after the stop', scrapes, 18, {
      MySQLStsReplicationStopped: [
        { ...replicaLabels, thread: 'io' },
        { ...replicaLabels, thread: 'sql' },
      ],
      MySQLStsReplicaNotReady: [replicaLabels],
      MySQLStsCloneRequestsUnauthorized: [{ pod: primary.name, reason: 'unauthorized' }],
    });
    expect(after, after.output).toMatchObject({ exitCode: 0 });
  });
});
