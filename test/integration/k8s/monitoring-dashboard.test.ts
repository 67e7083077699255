import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { COMPONENT_DIR, documentedMetrics, isKnownMetric, metricNamesIn, promtool, writeRulesFile } from './monitoring-assets.js';

interface Target {
  readonly expr: string;
  readonly refId: string;
  readonly datasource?: { readonly type: string; readonly uid: string };
}

interface Panel {
  readonly id: number;
  readonly type: string;
  readonly title: string;
  readonly gridPos: { readonly x: number; readonly y: number; readonly w: number; readonly h: number };
  readonly targets?: readonly Target[];
}

interface Variable {
  readonly name: string;
  readonly type: string;
  readonly query: string | { readonly query: string };
  readonly datasource?: { readonly uid: string };
}

interface Dashboard {
  readonly uid: string;
  readonly title: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly Variable[] };
}

const dir = mkdtempSync(join(tmpdir(), 'msa-dashboard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const text = readFileSync(join(COMPONENT_DIR, 'grafana-dashboard.json'), 'utf8');
const dashboard = JSON.parse(text) as Dashboard;
const targets = dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ panel: panel.title, ...target })));
const variables = new Map(dashboard.templating.list.map((variable) => [variable.name, variable]));
const variableQuery = (name: string): string => {
  const query = variables.get(name)?.query;
  return typeof query === 'string' ? query : (query?.query ?? '');
};

/** A Grafana query as plain PromQL: its variables replaced by values Prometheus accepts. */
function asPromQL(expr: string): string {
  return expr.replaceAll('$namespace', 'default').replaceAll('$__rate_interval', '1m');
}

describe('Grafana dashboard grafana-dashboard.json', () => {
  it('is a JSON dashboard with a stable uid, panels with unique ids inside the 24-column grid, and queries', () => {
    expect(dashboard.uid).toBe('mysql-sts-agent');
    const ids = dashboard.panels.map((panel) => panel.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { title, gridPos } of dashboard.panels) {
      expect(gridPos.x + gridPos.w, title).toBeLessThanOrEqual(24);
    }
    expect(targets.length).toBeGreaterThanOrEqual(15);
  });

  it('templates the data source and the namespace, and every query uses both', () => {
    expect(variables.get('datasource')).toMatchObject({ type: 'datasource', query: 'prometheus' });
    expect(variables.get('namespace')).toMatchObject({ type: 'query', datasource: { uid: '${datasource}' } });
    expect(variableQuery('namespace')).toBe('label_values(mysql_sts_agent_info, namespace)');
    for (const target of targets) {
      expect(target.datasource, target.panel).toEqual({ type: 'prometheus', uid: '${datasource}' });
      for (const selector of target.expr.matchAll(/[a-z_:]+\{([^}]*)\}/g)) {
        expect(selector[1], `${target.panel}: ${target.expr}`).toContain('namespace="$namespace"');
      }
    }
  });

  it('finds metric names in PromQL (so the checks below are not vacuous)', () => {
    expect(
      metricNamesIn(
        'sum by (pod) (rate(a_total{x="b,c"}[5m])) > 30 and on (pod) b_known == 1 unless label_replace(c == 0, "t", "io", "", "") offset 30m',
      ).sort(),
    ).toEqual(['a_total', 'b_known', 'c']);
    expect(metricNamesIn('label_values(mysql_sts_agent_info, namespace)')).toEqual(['mysql_sts_agent_info']);
    expect(metricNamesIn('up{job="mysql", namespace="$namespace"} == bool 0')).toEqual(['up']);
  });

  it('queries only metrics the agent exports (README metrics table) and Prometheus built-ins', () => {
    const documented = documentedMetrics();
    const used = [...targets.map((target) => target.expr), variableQuery('namespace')].flatMap((expr) =>
      metricNamesIn(expr).map((name) => ({ expr, name })),
    );
    expect(used.filter(({ name }) => !isKnownMetric(name, documented))).toEqual([]);
    const names = new Set(used.map(({ name }) => name));
    for (const wanted of [
      'mysql_sts_ready',
      'mysql_sts_role_primary',
      'mysql_sts_replication_lag_seconds',
      'mysql_sts_replication_lag_known',
      'mysql_sts_replication_seconds_behind_source_seconds',
      'mysql_sts_replication_io_running',
      'mysql_sts_replication_sql_running',
      'mysql_sts_heartbeat_writes_total',
      'mysql_sts_heartbeat_failures_total',
      'mysql_sts_clone_served_total',
      'mysql_sts_clone_served_bytes_total',
      'mysql_sts_clone_received_bytes',
      'mysql_sts_clone_duration_seconds',
      'mysql_sts_replication_errant_transactions',
    ]) {
      expect(names, wanted).toContain(wanted);
    }
  });

  it('shows the heartbeat lag only while it is known (an unknown lag must not draw as 0)', () => {
    const lag = targets.filter((target) => metricNamesIn(target.expr).includes('mysql_sts_replication_lag_seconds'));
    expect(lag).not.toEqual([]);
    for (const target of lag) expect(target.expr).toMatch(/and on \(namespace, pod\) mysql_sts_replication_lag_known\{[^}]*\} == 1/);
  });

  it('every panel query is valid PromQL (promtool check rules on them as recording rules)', async () => {
    const rules = targets.map((target, i) => ({ record: `dashboard:query_${i}`, expr: asPromQL(target.expr) }));
    const check = await promtool(['check', 'rules', writeRulesFile(dir, [{ name: 'dashboard', rules }], 'dashboard.rules.yaml')]);
    expect(check, check.output).toMatchObject({ exitCode: 0 });
    expect(check.output).toContain(`SUCCESS: ${rules.length} rules found`);
  });
});
