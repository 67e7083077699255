import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  alertRules,
  documentedMetrics,
  isKnownMetric,
  metricNamesIn,
  promtool,
  readPrometheusRule,
  readPromTest,
  writePromTestFile,
  writeRulesFile,
  type AlertRule,
  type PromTestFile,
  type PromTestGroup,
  type RuleGroup,
} from './monitoring-assets.js';

const dir = mkdtempSync(join(tmpdir(), 'msa-rules-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const rule = readPrometheusRule();
const alerts = alertRules(rule);
const promTest = readPromTest();

/** The rule groups with one alert's expression replaced. */
function withExpr(alert: string, expr: string): RuleGroup[] {
  return rule.spec.groups.map((group) => ({
    ...group,
    rules: group.rules.map((candidate): AlertRule => (candidate.alert === alert ? { ...candidate, expr } : candidate)),
  }));
}

/** Test groups about `alert` that expect it to fire (`firing`) or to stay quiet at every evaluation. */
function testGroupsOf(alert: string, firing: boolean): PromTestGroup[] {
  return promTest.tests.filter((group) => {
    const checks = group.alert_rule_test.filter((check) => check.alertname === alert);
    return checks.length > 0 && checks.every((check) => (check.exp_alerts.length > 0) === firing);
  });
}

async function runRuleTests(name: string, groups: readonly RuleGroup[], tests: PromTestFile) {
  const caseDir = mkdtempSync(join(dir, `${name}-`));
  const rulesFile = writeRulesFile(caseDir, groups);
  return promtool(['test', 'rules', writePromTestFile(caseDir, tests, rulesFile)]);
}

describe('PrometheusRule mysql-sts-agent', () => {
  it('is a monitoring.coreos.com/v1 PrometheusRule whose groups pass promtool check rules', async () => {
    expect(rule).toMatchObject({ apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'mysql-sts-agent' } });
    const check = await promtool(['check', 'rules', writeRulesFile(dir, rule.spec.groups)]);
    expect(check, check.output).toMatchObject({ exitCode: 0 });
    expect(check.output).toContain(`SUCCESS: ${alerts.length} rules found`);
  });

  it('has the alerts the runbook promises, each with a severity, a summary and a description that says where to look', () => {
    expect(alerts.map((alert) => alert.alert).sort()).toEqual([
      'MySQLStsAgentDown',
      'MySQLStsCloneRequestsUnauthorized',
      'MySQLStsCloneServeFailed',
      'MySQLStsErrantTransactions',
      'MySQLStsHeartbeatFailing',
      'MySQLStsHeartbeatWriterDown',
      'MySQLStsPrimaryNotReady',
      'MySQLStsReplicaNotReady',
      'MySQLStsReplicationLagHigh',
      'MySQLStsReplicationLagUnknown',
      'MySQLStsReplicationStopped',
    ]);
    for (const alert of alerts) {
      expect(['critical', 'warning'], alert.alert).toContain(alert.labels?.severity);
      expect(alert.annotations?.summary, alert.alert).toMatch(/\{\{ \$labels\.pod \}\}/);
      expect(alert.annotations?.description, alert.alert).toContain('mysql-sts-agent status');
      expect(alert.annotations?.description, alert.alert).toContain('/status');
    }
  });

  it('selects only metrics the agent exports (README metrics table) and Prometheus built-ins', () => {
    const documented = documentedMetrics();
    const used = alerts.flatMap((alert) => metricNamesIn(alert.expr).map((name) => ({ alert: alert.alert, name })));
    expect(used.length).toBeGreaterThan(alerts.length);
    expect(used.filter(({ name }) => !isKnownMetric(name, documented))).toEqual([]);
  });

  it('keeps replica-only alerts off the primary: every replication alert joins mysql_sts_role_primary == 0', () => {
    const replicaOnly = alerts.filter((alert) => /mysql_sts_replication_/.test(alert.expr));
    expect(replicaOnly.length).toBeGreaterThanOrEqual(4);
    for (const alert of replicaOnly) {
      expect(alert.expr.replace(/\s+/g, ' '), alert.alert).toContain('and on (namespace, pod) mysql_sts_role_primary == 0');
    }
  });

  it('every alert has a promtool test that fires it and one that must stay quiet', () => {
    const rulesTested = promTest.tests.flatMap((group) => group.alert_rule_test.map((check) => check.alertname));
    expect(new Set(rulesTested)).toEqual(new Set(alerts.map((alert) => alert.alert)));
    for (const alert of alerts) {
      expect(testGroupsOf(alert.alert, true), `${alert.alert} firing tests`).not.toEqual([]);
      expect(testGroupsOf(alert.alert, false), `${alert.alert} quiet tests`).not.toEqual([]);
    }
  });

  it('passes promtool test rules (alerts.promtest.yaml) against the extracted rules', async () => {
    const run = await runRuleTests('all', rule.spec.groups, promTest);
    expect(run, run.output).toMatchObject({ exitCode: 0 });
    expect(run.output).toContain('SUCCESS');
  });

  // The rule tests can fail: for each alert, a rule that never fires breaks
  // its firing tests and a rule that fires for every pod breaks its quiet tests.
  it.each(alerts.map((alert) => alert.alert))('%s: the tests catch a rule that never fires and one that always fires', async (alert) => {
    const never = await runRuleTests(`${alert}-never`, withExpr(alert, 'vector(0) > 1'), { ...promTest, tests: testGroupsOf(alert, true) });
    expect(never.exitCode, never.output).toBe(1);
    expect(never.output).toMatch(new RegExp(`alertname: ${alert}, time: [^\\n]*\\n\\s*exp:\\[\\s*0:[\\s\\S]*?got:\\[\\]`));
    const always = await runRuleTests(`${alert}-always`, withExpr(alert, 'count by (namespace, pod, job, service) ({__name__=~"mysql_sts_.+|up"})'), {
      ...promTest,
      tests: testGroupsOf(alert, false),
    });
    expect(always.exitCode, always.output).toBe(1);
    expect(always.output).toMatch(new RegExp(`alertname: ${alert}, time: [^\\n]*\\n\\s*exp:\\[\\],?\\s*got:\\[\\s*0:`));
  });
});
