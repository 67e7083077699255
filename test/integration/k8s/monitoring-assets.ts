import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parse, stringify } from 'yaml';

/**
 * Readers for the monitoring component (k8s/components/monitoring) and the
 * promtool plumbing its tests share. The PrometheusRule in the component is
 * the only copy of the rules: tests extract `spec.groups` from it.
 */

export const COMPONENT_DIR = fileURLToPath(new URL('../../../k8s/components/monitoring/', import.meta.url));
export const PROMTEST_FILE = fileURLToPath(new URL('./alerts.promtest.yaml', import.meta.url));
const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for?: string;
  readonly labels?: Readonly<Record<string, string>>;
  readonly annotations?: Readonly<Record<string, string>>;
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

export interface PrometheusRule {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string };
  readonly spec: { readonly groups: readonly RuleGroup[] };
}

/** One `tests:` entry of a promtool rule-test file (only the fields we read). */
export interface PromTestGroup {
  readonly name: string;
  readonly alert_rule_test: readonly { readonly alertname: string; readonly exp_alerts: readonly unknown[] }[];
  readonly [field: string]: unknown;
}

export interface PromTestFile {
  readonly rule_files: readonly string[];
  readonly tests: readonly PromTestGroup[];
  readonly [field: string]: unknown;
}

export function readPrometheusRule(): PrometheusRule {
  return parse(readFileSync(join(COMPONENT_DIR, 'prometheusrule.yaml'), 'utf8')) as PrometheusRule;
}

export function alertRules(rule: PrometheusRule = readPrometheusRule()): AlertRule[] {
  return rule.spec.groups.flatMap((group) => group.rules);
}

export function readPromTest(): PromTestFile {
  return parse(readFileSync(PROMTEST_FILE, 'utf8')) as PromTestFile;
}

/** Writes `groups` (alerting or recording rules) as a plain Prometheus rules file, what `promtool` and Prometheus read. */
export function writeRulesFile(dir: string, groups: readonly { name: string; rules: readonly object[] }[], name = 'mysql-sts-agent.rules.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify({ groups }));
  return file;
}

/** Writes the rule tests with rule_files pointing at `rulesFile` (absolute, so the test file may live anywhere). */
export function writePromTestFile(dir: string, tests: PromTestFile, rulesFile: string, name = 'alerts.promtest.yaml'): string {
  const file = join(dir, name);
  writeFileSync(file, stringify({ ...tests, rule_files: [rulesFile] }));
  return file;
}

export interface ToolRun {
  readonly exitCode: number | undefined;
  readonly output: string;
}

export async function promtool(args: readonly string[]): Promise<ToolRun> {
  const run = await execa('promtool', args, { reject: false, all: true, timeout: 60_000 });
  return { exitCode: run.exitCode, output: run.all ?? '' };
}

/**
 * Metric names the README's metrics table documents (which an integration
 * test keeps in step with what the sidecars expose). Entries like
 * `mysql_sts_process_*` come back as prefixes.
 */
export function documentedMetrics(): { names: Set<string>; prefixes: string[] } {
  const rows = readFileSync(README, 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('| `mysql_sts_'));
  const names = new Set<string>();
  const prefixes: string[] = [];
  for (const row of rows) {
    const cell = row.split('|')[1] ?? '';
    for (const match of cell.matchAll(/`(mysql_sts_[a-z0-9_]+)(\*)?/g)) {
      if (match[2] === '*') prefixes.push(match[1] as string);
      else names.add(match[1] as string);
    }
  }
  return { names, prefixes };
}

/** Prometheus' own series, which no exporter documents. */
export const BUILT_IN_METRICS: ReadonlySet<string> = new Set(['up', 'scrape_duration_seconds', 'scrape_samples_scraped']);

export function isKnownMetric(name: string, documented = documentedMetrics()): boolean {
  return BUILT_IN_METRICS.has(name) || documented.names.has(name) || documented.prefixes.some((prefix) => name.startsWith(prefix));
}

const KEYWORDS = new Set(['and', 'or', 'unless', 'bool', 'offset', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'inf', 'nan']);

/**
 * The metric names a PromQL expression selects (also inside Grafana's
 * `label_values(metric, label)`), found lexically: strings, label matchers,
 * ranges, grouping clauses and Grafana variables are removed first, then every
 * identifier that is neither a function call nor a keyword is a metric name.
 */
export function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, ' ')
    .replace(/\blabel_values\s*\(\s*([^,()]*?)\s*,\s*\w+\s*\)/g, ' $1 ')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(?:by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const match of stripped.matchAll(/(?<![\w:.])([a-zA-Z_:][\w:]*)(\s*\()?/g)) {
    const [, name, call] = match;
    if (call !== undefined || KEYWORDS.has((name as string).toLowerCase())) continue;
    names.add(name as string);
  }
  return [...names];
}
