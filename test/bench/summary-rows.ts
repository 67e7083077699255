import type { CloneResults, CloneSizeResults } from './clone-section.js';
import { PROBE_TARGETS } from './probe-report.js';
import type { LoadWindow } from './probe-load.js';
import type { ProbeResults } from './probes.js';
import { PHASE_NAMES, READY_PHASES } from './ready-report.js';
import type { ReadyResults } from './ready-section.js';
import { TARGETS } from './report.js';
import { belowTarget, ratioTarget, summaryRow, type SummaryRow } from './summary.js';

/**
 * The final table's rows, section by section, from the results the sections
 * returned: pure, so the unit tests feed them made-up results.
 */

const MIB = 1024 * 1024;

function method(size: CloneSizeResults, key: 'agent' | 'raw' | 'relay') {
  const found = size.methods.find((m) => m.key === key);
  if (found === undefined) throw new Error(`no ${key} results at the ${size.size} size`);
  return found;
}

function sizeName(size: CloneSizeResults): string {
  return `${(size.data.dataDirBytes / MIB).toFixed(0)} MiB`;
}

export function cloneRows(clone: CloneResults): SummaryRow[] {
  const section = 'clone';
  const large = clone.sizes.find((size) => size.size === 'large');
  if (large === undefined) throw new Error('no clone results at the large size');
  const agent = method(large, 'agent');
  const raw = { name: 'raw pipe', value: method(large, 'raw').medianSeconds };
  const relay = { name: 'socat relay', value: method(large, 'relay').medianSeconds };
  const rows = [
    summaryRow({ section, name: `clone ${sizeName(large)}, median s: agent vs raw local pipe`, value: agent.medianSeconds, unit: 's', baseline: raw, target: ratioTarget(agent.medianSeconds, raw.value, TARGETS.agentVsRaw) }),
    summaryRow({ section, name: `clone ${sizeName(large)}, median s: agent vs plain TCP relay`, value: agent.medianSeconds, unit: 's', baseline: relay, target: ratioTarget(agent.medianSeconds, relay.value, TARGETS.agentVsRelay) }),
  ];
  for (const size of clone.sizes) {
    rows.push(summaryRow({ section, name: `clone throughput at ${sizeName(size)}: agent`, value: method(size, 'agent').mibPerSecond, unit: 'MiB/s', baseline: { name: 'raw pipe', value: method(size, 'raw').mibPerSecond } }));
  }
  for (const growth of clone.growth.filter((g) => g.key === 'agent')) {
    const rawGrowth = clone.growth.find((g) => g.key === 'raw');
    const span = `${growth.smallMib.toFixed(0)} → ${growth.largeMib.toFixed(0)} MiB (data ×${growth.dataRatio.toFixed(2)})`;
    rows.push(summaryRow({ section, name: `clone time growth ${span}: agent`, value: growth.timeRatio, unit: '×', ...(rawGrowth === undefined ? {} : { baseline: { name: 'raw pipe', value: rawGrowth.timeRatio } }) }));
    rows.push(summaryRow({ section, name: 'clone fixed cost (line through both sizes): agent', value: growth.fixedSeconds, unit: 's', ...(rawGrowth === undefined ? {} : { baseline: { name: 'raw pipe', value: rawGrowth.fixedSeconds } }) }));
  }
  return rows;
}

export function readyRows(ready: ReadyResults): SummaryRow[] {
  const section = 'ready';
  const { agent, byHand } = ready.summary;
  const rows = [
    summaryRow({
      section,
      name: `empty pod → Ready replica, ${(ready.dataDirBytes / MIB).toFixed(0)} MiB, median s: agent`,
      value: agent.medianSeconds,
      unit: 's',
      baseline: { name: 'by hand', value: byHand.medianSeconds },
    }),
  ];
  for (const phase of READY_PHASES) {
    rows.push(summaryRow({ section, name: `  of which ${PHASE_NAMES[phase]}`, value: agent.phases[phase], unit: 's', baseline: { name: 'by hand', value: byHand.phases[phase] } }));
  }
  return rows;
}

function window(probes: ProbeResults, target: LoadWindow['target'], path: string): LoadWindow {
  const found = probes.loads.find((load) => load.target === target && load.path === path);
  if (found === undefined) throw new Error(`no ${target} ${path} load window`);
  return found;
}

export function probeRows(probes: ProbeResults): SummaryRow[] {
  const section = 'probes';
  const bare = window(probes, 'bare node', '/readyz');
  const rate = `${probes.settings.rate} req/s`;
  const rows: SummaryRow[] = [];
  for (const path of ['/readyz', '/metrics']) {
    const load = window(probes, 'sidecar', path);
    const latency = (w: LoadWindow, p: 'p50' | 'p99') => w.generator.latencyFromDueMs[p] ?? Number.NaN;
    rows.push(summaryRow({ section, name: `${path} p50 at ${rate}`, value: latency(load, 'p50'), unit: 'ms', baseline: { name: 'bare node', value: latency(bare, 'p50') } }));
    const p99 = latency(load, 'p99');
    rows.push(summaryRow({ section, name: `${path} p99 at ${rate}`, value: p99, unit: 'ms', baseline: { name: 'bare node', value: latency(bare, 'p99') }, target: belowTarget(p99, PROBE_TARGETS.maxP99Ms, 'ms') }));
    const sql = load.sql.perRequest;
    rows.push(
      summaryRow({
        section,
        name: `SQL statements per ${path} request`,
        value: sql,
        unit: '',
        baseline: { name: 'bare node (noise)', value: bare.sql.perRequest },
        noRatio: true,
        target: { text: `|x| ≤ ${PROBE_TARGETS.maxSqlPerRequest}`, met: Math.abs(sql) <= PROBE_TARGETS.maxSqlPerRequest },
      }),
    );
  }
  const bareIdle = probes.idle.find((f) => !f.name.endsWith('sidecar'));
  for (const footprint of probes.idle.filter((f) => f.name.endsWith('sidecar'))) {
    const rss = footprint.rssMaxBytes / 1e6;
    const baseline = bareIdle === undefined ? {} : { baseline: { name: 'bare node', value: bareIdle.rssMaxBytes / 1e6 } };
    rows.push(summaryRow({ section, name: `idle RSS, ${footprint.name}`, value: rss, unit: 'MB', ...baseline, target: belowTarget(rss, PROBE_TARGETS.maxIdleRssMb, 'MB') }));
  }
  const start = probes.start;
  rows.push(
    summaryRow({
      section,
      name: 'sidecar start to first /healthz answer, median',
      value: start.agentMedianSeconds,
      unit: 's',
      baseline: { name: 'bare node', value: start.baselineMedianSeconds },
      target: belowTarget(start.agentMedianSeconds, PROBE_TARGETS.maxStartSeconds, 's'),
    }),
  );
  return rows;
}
