import { describe, expect, it } from 'vitest';
import type { CloneResults, CloneSizeResults } from '../../bench/clone-section.js';
import type { IdleFootprint } from '../../bench/probe-idle.js';
import type { GeneratorResult, LoadWindow } from '../../bench/probe-load.js';
import type { ProbeResults } from '../../bench/probes.js';
import { renderReady } from '../../bench/ready-report.js';
import { summarize, type MethodResult } from '../../bench/report.js';
import { cloneRows, probeRows, readyRows } from '../../bench/summary-rows.js';
import { countTargets, renderSummary, summaryRow, type SummaryRow } from '../../bench/summary.js';
import { growthOfAll } from '../../bench/clone-growth.js';
import { fakeReady } from './fixtures.js';

// The final table of `npm run bench` built from made-up section results: its
// shape (one row per figure, a baseline from the same run, the ratio derived
// from the two) and its JSON, without starting anything or timing anything.

const MIB = 1024 * 1024;

function cloneSize(size: 'small' | 'large', dataMib: number, medians: Partial<Record<'agent' | 'raw' | 'relay', number>>): CloneSizeResults {
  const results: MethodResult[] = Object.entries(medians).map(([key, seconds]) => ({
    key: key as MethodResult['key'],
    label: key,
    runs: [{ seconds, streamSeconds: seconds, prepareSeconds: 0, otherSeconds: 0, loadAvg1: 1, round: 1 }],
  }));
  const data = { rows: 1, payloadBytes: 1, loadSeconds: 1, tableBytes: 1, ibdBytes: 1, dataDirBytes: dataMib * MIB };
  return { size, dataMb: dataMib, data, methods: summarize(results, data.dataDirBytes).map((s) => ({ ...s, runs: [] })) };
}

function fakeClone(): CloneResults {
  const sizes = [cloneSize('small', 200, { agent: 2, raw: 1.5 }), cloneSize('large', 600, { agent: 4, raw: 3.2, relay: 8 })];
  const points = (size: CloneSizeResults) => size.methods.map((m) => ({ key: m.key, label: m.label, dataBytes: size.data.dataDirBytes, medianSeconds: m.medianSeconds }));
  return {
    settings: { dataMb: 512, smallDataMb: 128, runs: 1, parallel: 2, sharedFlags: '' },
    sizes,
    growth: growthOfAll(points(sizes[0] as CloneSizeResults), points(sizes[1] as CloneSizeResults)),
    targets: [],
  };
}

function loadWindow(target: LoadWindow['target'], path: string, p99: number, perRequest: number): LoadWindow {
  const latency = { p50: p99 / 4, p90: p99 / 2, p99, p999: p99 * 2, max: p99 * 3, mean: p99 / 3 };
  const generator: GeneratorResult = {
    path,
    rate: 1000,
    warmupRequests: 1000,
    requests: 10_000,
    statuses: { '200': 10_000 },
    errors: {},
    bodyBytes: 0,
    newSockets: 1,
    wallSeconds: 11,
    generatorCpuSeconds: 1,
    latencyFromDueMs: latency,
    latencyFromSendMs: latency,
    sendLagMs: latency,
  };
  const sql = { underLoad: 10, loadSeconds: 11, idle: 10, idleSeconds: 11, requests: 11_000, perRequest };
  return { target, port: 8080, path, generator, sql, answeredPerSecond: 1000, serverCpuSeconds: 1, serverCpuShare: 0.1, serverCpuMicrosPerRequest: 90 };
}

function idle(name: string, rssMb: number): IdleFootprint {
  const bytes = rssMb * 1e6;
  return { name, pid: 1, windowSeconds: 10, rssStartBytes: bytes, rssEndBytes: bytes, rssMaxBytes: bytes, rssAnonEndBytes: bytes / 2, peakRssBytes: bytes, cpuSeconds: 0, cpuShare: 0, threads: 7 };
}

function fakeProbes(): ProbeResults {
  return {
    settings: { rate: 1000, seconds: 10, warmupSeconds: 1, idleSeconds: 10, settleSeconds: 5, startRuns: 5 },
    replica: 'mysql-1',
    replicaStartSeconds: 5,
    idle: [idle('mysql-1 sidecar', 80), idle('mysql-0 sidecar', 75), idle('bare node http server', 40)],
    loads: [loadWindow('sidecar', '/readyz', 4, 0), loadWindow('bare node', '/readyz', 2, 0.0001), loadWindow('sidecar', '/metrics', 6, 0.02)],
    rssAfterLoadBytes: 0,
    start: { runs: [], agentMedianSeconds: 0.4, baselineMedianSeconds: 0.05, agentServingLogMedianSeconds: 0.3 },
  };
}

function allRows(): SummaryRow[] {
  return [...cloneRows(fakeClone()), ...readyRows(fakeReady()), ...probeRows(fakeProbes())];
}

describe('summaryRow', () => {
  it('derives the ratio from the value and its baseline, and has none without a usable baseline', () => {
    expect(summaryRow({ section: 'clone', name: 'x', value: 3, unit: 's', baseline: { name: 'b', value: 2 } }).ratio).toBe(1.5);
    expect(summaryRow({ section: 'clone', name: 'x', value: 3, unit: 's' }).ratio).toBeNull();
    expect(summaryRow({ section: 'clone', name: 'x', value: 3, unit: 's', baseline: { name: 'b', value: 0 } }).ratio).toBeNull();
    expect(summaryRow({ section: 'probes', name: 'x', value: 0, unit: '', baseline: { name: 'b', value: 0.1 }, noRatio: true }).ratio).toBeNull();
  });
});

describe('the final table', () => {
  it('has rows from every section, each ratio equal to value / baseline', () => {
    const rows = allRows();
    expect(new Set(rows.map((row) => row.section))).toEqual(new Set(['clone', 'ready', 'probes']));
    for (const row of rows) {
      if (row.ratio !== null) expect(row.ratio).toBeCloseTo(row.value / (row.baseline?.value ?? Number.NaN));
    }
  });

  it('checks the clone targets on the ratios at the large size, and shows the growth of both methods', () => {
    const rows = cloneRows(fakeClone());
    expect(rows.filter((row) => row.target !== null).map((row) => [row.baseline?.name, row.ratio, row.target?.met])).toEqual([
      ['raw pipe', 1.25, false],
      ['socat relay', 0.5, true],
    ]);
    const growth = rows.find((row) => row.name.startsWith('clone time growth'));
    expect(growth).toMatchObject({ value: 2, baseline: { value: 3.2 / 1.5 } });
    expect(growth?.name).toContain('200 → 600 MiB (data ×3.00)');
  });

  it('breaks the empty pod → Ready time into its phases, each against the same phase by hand', () => {
    const ready = fakeReady();
    expect(readyRows(ready).map((row) => [row.value, row.baseline?.value])).toEqual([
      [8.5, 4.5],
      [4.5, 3],
      [1, 1],
      [3, 0.5],
    ]);
    expect(renderReady(ready.summary)).toMatch(/total \(median of totals\)\s+8\.50\s+4\.50\s+1\.89/);
  });

  it('checks the probe targets on the values, and never divides by the SQL noise floor', () => {
    const verdicts = probeRows(fakeProbes()).filter((row) => row.target !== null).map((row) => [row.name, row.target?.met]);
    expect(verdicts).toEqual([
      ['/readyz p99 at 1000 req/s', true],
      ['SQL statements per /readyz request', true],
      ['/metrics p99 at 1000 req/s', false],
      ['SQL statements per /metrics request', false],
      ['idle RSS, mysql-1 sidecar', false],
      ['idle RSS, mysql-0 sidecar', false],
      ['sidecar start to first /healthz answer, median', true],
    ]);
    expect(probeRows(fakeProbes()).filter((row) => row.name.startsWith('SQL')).map((row) => row.ratio)).toEqual([null, null]);
  });

  it('prints one line per row under one header, and counts the targets met', () => {
    const rows = allRows();
    const lines = renderSummary(rows).split('\n');
    expect(lines[0]).toMatch(/^section\s+what\s+value\s+baseline \(same run\)\s+ratio\s+target\s+verdict$/);
    expect(lines).toHaveLength(rows.length + 1);
    expect(lines.filter((line) => / NOT met$/.test(line))).toHaveLength(countTargets(rows).total - countTargets(rows).met);
    expect(countTargets(rows)).toEqual({ total: 9, met: 4 });
  });

  it('survives the trip through JSON as bench.json holds it', () => {
    const rows = allRows();
    const parsed = JSON.parse(JSON.stringify(rows)) as SummaryRow[];
    expect(parsed).toEqual(rows);
    for (const row of parsed) expect(Object.keys(row).sort()).toEqual(['baseline', 'name', 'ratio', 'section', 'target', 'unit', 'value']);
  });
});
