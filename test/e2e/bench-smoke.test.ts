import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT } from '../cluster/manifest.js';
import type { BenchResults } from '../bench/results.js';

/**
 * `npm run bench` at toy sizes, so the benchmark's own path (clusters of both
 * servers, clones, the by-hand baselines, the load generator, the report) cannot rot between
 * real runs. Nothing here is about speed: it asserts only that every section
 * ran and produced a number with its same-run baseline.
 */

const dir = mkdtempSync(join(tmpdir(), 'msa-bench-smoke-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('npm run bench at toy sizes', () => {
  it('runs every section and writes one summary with a baseline for each measured row', async () => {
    const file = join(dir, 'bench.json');
    // One process (not npx → tsx → node): the timeout's SIGTERM must reach run.ts, whose handler tears its sets down.
    const run = await execa(process.execPath, ['--import', 'tsx', 'test/bench/run.ts'], {
      cwd: REPO_ROOT,
      reject: false,
      forceKillAfterDelay: 60_000,
      // The MySQL sections (a second set, 4 clones) take about as long as the MariaDB ones.
      timeout: 900_000,
      // The least each knob takes: one run of every method and path, the smallest two sizes, the shortest load windows.
      env: { BENCH_RESULTS: file, BENCH_DATA_MB: '2', BENCH_SMOKE: '1', BENCH_READY_RUNS: '1', BENCH_PROBE_RATE: '100', BENCH_PROBE_SECONDS: '1' },
    });
    expect(run.exitCode, `${run.stdout.slice(-3000)}\n${run.stderr.slice(-3000)}`).toBe(0);
    const results = JSON.parse(readFileSync(file, 'utf8')) as BenchResults;
    expect(new Set(results.summary.map((row) => row.section))).toEqual(new Set(['clone', 'ready', 'probes', 'image', 'mysql-clone', 'mysql-ready']));
    for (const row of results.summary) expect(Number.isFinite(row.value), row.name).toBe(true);
    const cloneVsRaw = results.summary.find((row) => row.section === 'clone' && /agent vs raw/.test(row.name));
    expect(cloneVsRaw?.baseline?.value).toBeGreaterThan(0);
    expect(cloneVsRaw?.ratio).toBeGreaterThan(0);
    // MySQL: the CLONE plugin against CLONE INSTANCE by hand, and the ready gap against MariaDB's from the same run.
    const mysqlClone = results.summary.find((row) => row.section === 'mysql-clone' && row.target !== null);
    expect(mysqlClone?.baseline?.value).toBeGreaterThan(0);
    expect(results.summary.find((row) => row.section === 'mysql-ready' && /gap/.test(row.name))?.baseline?.name).toBe('MariaDB gap');
    expect(run.stdout).toMatch(/targets met: \d+ of \d+/);
  }, 960_000);
});
