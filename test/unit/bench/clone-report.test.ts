import { describe, expect, it } from 'vitest';
import { growthOf, growthOfAll, renderGrowth } from '../../bench/clone-growth.js';
import { checkTargets, renderTable, summarize, type MethodResult, type RunRecord } from '../../bench/report.js';
import { MARIADB_SECTIONS, readSettings, runsAnyOf, runsSection } from '../../bench/settings.js';
import { median, round } from '../../bench/stats.js';

// The bench's own arithmetic, on made-up timings: `npm run bench` prints and
// writes what these functions compute, and nothing else checks them.

const MIB = 1024 * 1024;

function runs(...seconds: number[]): RunRecord[] {
  return seconds.map((s, i) => ({ seconds: s, streamSeconds: s * 0.8, prepareSeconds: s * 0.1, otherSeconds: s * 0.1, loadAvg1: 1, round: i + 1 }));
}

describe('stats', () => {
  it('takes the middle value, or the mean of the two middle ones', () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(() => median([])).toThrow(/no values/);
    expect(round(1.23456)).toBe(1.235);
    expect(round(1.23456, 1)).toBe(1.2);
  });
});

describe('readSettings', () => {
  it('defaults to 512 MiB with a quarter as the small size, and every section', () => {
    const settings = readSettings({});
    expect(settings).toMatchObject({ dataMb: 512, smallDataMb: 128, runs: 5, readyRuns: 3, only: undefined });
  });

  it('derives the small size from BENCH_DATA_MB unless told, and refuses a small size that is not smaller', () => {
    expect(readSettings({ BENCH_DATA_MB: '64' }).smallDataMb).toBe(16);
    expect(readSettings({ BENCH_DATA_MB: '64', BENCH_SMALL_DATA_MB: '32' }).smallDataMb).toBe(32);
    expect(() => readSettings({ BENCH_DATA_MB: '64', BENCH_SMALL_DATA_MB: '64' })).toThrow(/BENCH_SMALL_DATA_MB/);
  });

  it('runs the named sections, and refuses a typo instead of running all of them', () => {
    expect(readSettings({ BENCH_ONLY: 'ready' }).only).toEqual(['ready']);
    const both = readSettings({ BENCH_ONLY: 'ready, mysql-ready' });
    expect(both.only).toEqual(['ready', 'mysql-ready']);
    expect([runsSection(both, 'ready'), runsSection(both, 'mysql-ready'), runsSection(both, 'clone')]).toEqual([true, true, false]);
    expect([runsAnyOf(both, MARIADB_SECTIONS), runsAnyOf(readSettings({ BENCH_ONLY: 'mysql-clone' }), MARIADB_SECTIONS)]).toEqual([true, false]);
    expect(() => readSettings({ BENCH_ONLY: 'redy' })).toThrow(/clone, ready, probes, image, mysql-clone, mysql-ready/);
    expect(() => readSettings({ BENCH_ONLY: 'ready,' })).toThrow(/BENCH_ONLY/);
    expect(() => readSettings({ BENCH_RUNS: '1' })).toThrow(/BENCH_RUNS/);
  });
});

describe('clone summaries', () => {
  const results: MethodResult[] = [
    { key: 'agent', label: 'agent', runs: runs(3, 2.9, 3.1) },
    { key: 'raw', label: 'raw', runs: runs(2.5, 2.4, 2.6) },
    { key: 'relay', label: 'relay', runs: runs(6, 6, 6) },
  ];

  it('compares every method with raw and relay by their medians', () => {
    const [agent] = summarize(results, 600 * MIB);
    expect(agent).toMatchObject({ medianSeconds: 3, mibPerSecond: 200 });
    expect(agent?.vsRaw).toBeCloseTo(1.2);
    expect(agent?.vsRelay).toBeCloseTo(0.5);
    expect(checkTargets(summarize(results, 600 * MIB)).map((t) => [t.name, t.met])).toEqual([
      ['agent / raw local pipeline', false],
      ['agent / plain TCP relay', true],
    ]);
  });

  it('has no relay ratio and no relay target at a size the relay did not run', () => {
    const summaries = summarize(results.slice(0, 2), 150 * MIB);
    expect(summaries.map((s) => s.vsRelay)).toEqual([null, null]);
    expect(checkTargets(summaries)).toHaveLength(1);
    expect(renderTable(summaries).split('\n')[1]).toMatch(/ -$/);
  });
});

describe('clone growth', () => {
  it('splits two medians on a line into a fixed part and a marginal throughput', () => {
    // 1 s fixed + 100 MiB/s: 2 s at 100 MiB, 5 s at 400 MiB.
    const growth = growthOf(
      { key: 'agent', label: 'agent', dataBytes: 100 * MIB, medianSeconds: 2 },
      { key: 'agent', label: 'agent', dataBytes: 400 * MIB, medianSeconds: 5 },
    );
    expect(growth).toMatchObject({ smallMib: 100, largeMib: 400, dataRatio: 4, timeRatio: 2.5, smallMibPerSecond: 50, largeMibPerSecond: 80 });
    expect(growth.fixedSeconds).toBeCloseTo(1);
    expect(growth.marginalMibPerSecond).toBeCloseTo(100);
  });

  it('has no marginal throughput when the larger copy was not slower (noise), and skips methods timed at one size', () => {
    const small = [
      { key: 'agent' as const, label: 'agent', dataBytes: 100 * MIB, medianSeconds: 3 },
      { key: 'raw' as const, label: 'raw', dataBytes: 100 * MIB, medianSeconds: 1 },
    ];
    const large = [
      { key: 'agent' as const, label: 'agent', dataBytes: 200 * MIB, medianSeconds: 2.5 },
      { key: 'relay' as const, label: 'relay', dataBytes: 200 * MIB, medianSeconds: 9 },
    ];
    const growth = growthOfAll(small, large);
    expect(growth.map((g) => g.key)).toEqual(['agent']);
    expect(growth[0]?.marginalMibPerSecond).toBeNull();
    expect(renderGrowth(growth).split('\n')[1]).toMatch(/ -$/);
    expect(() => growthOf(small[0] as (typeof small)[0], { ...(small[0] as (typeof small)[0]), dataBytes: 50 * MIB })).toThrow(/not larger/);
  });
});
