import { describe, expect, it } from 'vitest';
import { readSettings } from '../../bench/settings.js';

describe('BENCH_SMOKE', () => {
  it('runs each method and path once for the smoke test, while BENCH_RUNS alone still takes no fewer than two', () => {
    expect(readSettings({ BENCH_SMOKE: '1' })).toMatchObject({ runs: 1, smoke: true });
    expect(readSettings({ BENCH_SMOKE: '1', BENCH_RUNS: '5' }).runs).toBe(1);
    expect(readSettings({ BENCH_SMOKE: '' })).toMatchObject({ runs: 5, smoke: false });
    expect(() => readSettings({ BENCH_SMOKE: 'yes' })).toThrow(/BENCH_SMOKE="yes": expected 1 or nothing/);
    expect(() => readSettings({ BENCH_RUNS: '1' })).toThrow(/BENCH_RUNS/);
  });
});
