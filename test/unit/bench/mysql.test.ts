import { describe, expect, it } from 'vitest';
import { renderMysql, summarizeMysql, workSplit, type MysqlSectionKey } from '../../bench/mysql-report.js';
import { mysqlCloneRows, mysqlReadyRows } from '../../bench/mysql-rows.js';
import type { MysqlResults } from '../../bench/mysql-section.js';
import { cloneSecondsOf, phasesOf, timelineFrom, type MysqlMoment } from '../../bench/mysql-timeline.js';
import type { MysqlPathKey, MysqlTrial } from '../../bench/mysql-trial.js';
import { summaryRows } from '../../bench/printout.js';
import { alternating } from '../../bench/schedule.js';
import { parseErrorLog, parseKubeletLog, restartMoments } from '../../bench/server-logs.js';
import { countTargets } from '../../bench/summary.js';
import { fakeReady } from './fixtures.js';

// The MySQL sections' arithmetic (moments → phases → medians → the final
// table's rows) and the log lines they read, from made-up trials and log
// excerpts of a real MySQL 9.7.4 pod: nothing starts, nothing is timed.

const MIB = 1024 * 1024;

/** Moments in seconds since the trial's start, as epoch ms from 0. */
function timeline(moments: Partial<Record<MysqlMoment, number>>) {
  return timelineFrom(0, Object.fromEntries(Object.entries(moments).map(([key, seconds]) => [key, seconds * 1000])));
}

/** The agent: init 1, server 2, to CLONE 1, copy 2, shutdown 1, back-off 0.5, restart 2.5, record 0.5 (+ point 1, ready 3). */
const AGENT = { initDone: 1, serverUp: 3, cloneIssued: 4, cloneTaken: 6, serverExited: 7, restartBegan: 7.5, restartAnswers: 10, recorded: 10.5, pointed: 11.5, ready: 14.5 };
/** By hand: no init; the same server work; clone_status read at once; caught up 0.25 s after pointing. */
const BY_HAND = { serverUp: 2, cloneIssued: 2, cloneTaken: 4, serverExited: 5, restartBegan: 5.5, restartAnswers: 8, recorded: 8.05, pointed: 8.05, ready: 8.3 };

function trial(path: MysqlPathKey, round: number, moments: Partial<Record<MysqlMoment, number>>, shift = 0): MysqlTrial {
  const shifted = Object.fromEntries(Object.entries(moments).map(([key, at]) => [key, at + shift]));
  const t = timeline(shifted);
  const phases = phasesOf(t);
  const stages = { 'drop data': 0.1, 'file copy': 1.8, restart: 3, recovery: 1 };
  const server = { cloneStatusSeconds: 6, cloneBytes: 700 * MIB, stages, mysqldStartSeconds: 2, innodbInitSeconds: 1 };
  return { path, round, loadAvg1: 1, timeline: t, phases, cloneSeconds: cloneSecondsOf(phases), seconds: Math.max(...Object.values(t)), server };
}

function results(section: MysqlSectionKey, shift = 0): MysqlResults {
  const untilReady = section === 'mysql-ready';
  const cut = (moments: Record<string, number>) => (untilReady ? moments : Object.fromEntries(Object.entries(moments).filter(([key]) => key !== 'pointed' && key !== 'ready')));
  const trials = [trial('agent', 1, cut(AGENT), shift), trial('by hand', 1, cut(BY_HAND)), trial('agent', 2, cut(AGENT), shift), trial('by hand', 2, cut(BY_HAND))];
  const data = { rows: 1, payloadBytes: 512 * MIB, loadSeconds: 1, tableBytes: 1, ibdBytes: 1, dataDirBytes: 650 * MIB };
  return { section, runsPerPath: 2, dataMb: 512, data, trials, summary: summarizeMysql(section, trials) };
}

describe('a MySQL trial’s phases', () => {
  it('runs from each moment to the next the path has, and adds up to the last moment', () => {
    const phases = phasesOf(timeline(AGENT));
    expect(phases).toEqual({ init: 1, server: 2, toClone: 1, copy: 2, shutdown: 1, backoff: 0.5, restart: 2.5, record: 0.5, point: 1, ready: 3 });
    expect(Object.values(phases).reduce((sum, x) => sum + x, 0)).toBeCloseTo(14.5);
    // The clone leaves out the empty server's first start and replication.
    expect(cloneSecondsOf(phases)).toBeCloseTo(8.5);
  });

  it('gives a path without a moment 0 for its phase and counts the time in the next one', () => {
    const phases = phasesOf(timeline(BY_HAND));
    expect(phases.init).toBe(0);
    expect(phases.server).toBe(2);
    expect(phases.toClone).toBe(0);
    expect(cloneSecondsOf(phases)).toBeCloseTo(6.05);
  });

  it('turns epoch ms into seconds since the start and drops what was not seen', () => {
    expect(timelineFrom(5_000, { initDone: 6_500, serverUp: undefined, recorded: 9_000 })).toEqual({ start: 0, initDone: 1.5, recorded: 4 });
  });
});

const ERROR_LOG = [
  '2026-11-28T18:55:29.679176Z 0 [System] [MY-015015] [Server] MySQL Server - start.',
  '2026-11-28T18:55:30.799545Z 1 [System] [MY-013576] [InnoDB] InnoDB initialization has started.',
  '2026-11-28T18:55:32.331389Z 1 [System] [MY-013577] [InnoDB] InnoDB initialization has ended.',
  "2026-11-28T18:55:33.745316Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.7.4-2'",
  '2026-11-28T18:55:37.823574Z 12 [ERROR] [MY-013462] [Server] Clone shutting down server as RESTART failed. Please start server to complete clone operation.',
  '2026-11-28T18:55:41.357962Z 0 [System] [MY-010910] [Server] /usr/sbin/mysqld: Shutdown complete (mysqld 9.7.4-2)  (Debian).',
  '2026-11-28T18:55:42.328113Z 0 [System] [MY-015015] [Server] MySQL Server - start.',
  '2026-11-28T18:55:44.611709Z 1 [System] [MY-013576] [InnoDB] InnoDB initialization has started.',
  '2026-11-28T18:55:47.673486Z 1 [System] [MY-013577] [InnoDB] InnoDB initialization has ended.',
  "2026-11-28T18:55:49.139408Z 0 [System] [MY-010931] [Server] /usr/sbin/mysqld: ready for connections. Version: '9.7.4-2'",
  'a line without a time',
].join('\n');
const KUBELET_LOG = [
  '2026-11-28T18:55:42.007Z mysqld exited on its own (exit code 0); starting it again (restart 1)',
  '2026-11-28T18:55:49.145Z restart 1: answers SQL',
].join('\n');

describe('the clone restart in the pod’s logs', () => {
  const at = (iso: string) => Date.parse(iso);

  it('reads the error log’s times (microseconds cut to ms), codes and text, and the kubelet’s lines', () => {
    const lines = parseErrorLog(ERROR_LOG);
    expect(lines).toHaveLength(10);
    expect(lines[4]).toEqual({ timeMs: at('2026-11-28T18:55:37.823Z'), code: 'MY-013462', text: expect.stringMatching(/^Clone shutting down/) });
    expect(parseKubeletLog(KUBELET_LOG).map((line) => line.text)).toEqual(['mysqld exited on its own (exit code 0); starting it again (restart 1)', 'restart 1: answers SQL']);
  });

  it('finds 3707, the shutdown, the harness’s restart and its answer, and splits the restart’s own start', () => {
    const moments = restartMoments(parseErrorLog(ERROR_LOG), parseKubeletLog(KUBELET_LOG), at('2026-11-28T18:55:29Z'));
    expect(moments).toEqual({
      cloneTaken: at('2026-11-28T18:55:37.823Z'),
      serverExited: at('2026-11-28T18:55:41.357Z'),
      restartBegan: at('2026-11-28T18:55:42.007Z'),
      restartAnswers: at('2026-11-28T18:55:49.145Z'),
      mysqldStartSeconds: expect.closeTo(6.811, 3),
      innodbInitSeconds: expect.closeTo(3.062, 3),
    });
  });

  it('says which line is missing: a clone that never restarted, or lines from before the trial', () => {
    const noRestart = ERROR_LOG.split('\n').slice(0, 5).join('\n');
    expect(() => restartMoments(parseErrorLog(noRestart), [], 0)).toThrow(/Shutdown complete/);
    expect(() => restartMoments(parseErrorLog(ERROR_LOG), parseKubeletLog(KUBELET_LOG), at('2026-11-28T18:55:50Z'))).toThrow(/MY-013462/);
  });
});

describe('MySQL section summaries', () => {
  it('compares the clone (init + sidecar until recorded) with CLONE INSTANCE by hand', () => {
    const { summary } = results('mysql-clone');
    expect(summary.agent.median).toBeCloseTo(8.5);
    expect(summary.byHand.median).toBeCloseTo(6.05);
    expect(summary.ratio).toBeCloseTo(8.5 / 6.05);
    expect(summary.agent.stages['file copy']).toBe(1.8);
    // The agent's own steps hold the difference; the servers' work is the same on both paths.
    const split = workSplit(summary);
    expect(split.shared.agent).toBeCloseTo(split.shared.byHand);
    expect(split.own.agent - split.own.byHand).toBeCloseTo(summary.gap);
  });

  it('renders one row per phase of the section and the total, with the difference the agent makes', () => {
    const clone = renderMysql(results('mysql-clone').summary).split('\n');
    expect(clone[0]).toMatch(/^median s\s+agent\s+by hand\s+agent − by hand$/);
    expect(clone.filter((line) => /^first server start/.test(line))).toEqual([]);
    expect(clone.find((line) => line.startsWith('clone (median'))).toMatch(/8\.50\s+6\.05\s+2\.45$/);
    const ready = renderMysql(results('mysql-ready').summary);
    expect(ready).toMatch(/^empty pod → Ready \(median of totals\)\s+14\.50\s+8\.30\s+6\.20$/m);
    expect(ready).toMatch(/^first server start.*\s2\.00\s+2\.00\s+0\.00$/m);
    expect(ready).toMatch(/clone_status END − BEGIN 6\.00 s, 700 MiB copied/);
  });
});

describe('the final table’s MySQL rows', () => {
  it('targets agent / by hand ≤ 1.15 for the clone', () => {
    const rows = mysqlCloneRows(results('mysql-clone'));
    expect(rows.map((row) => [row.value, row.baseline?.value, row.target?.met ?? null])).toEqual([
      [expect.closeTo(8.5), expect.closeTo(6.05), false],
      [6, 6, null],
    ]);
    expect(mysqlCloneRows(results('mysql-clone', -1.6))[0]?.target).toEqual({ text: 'ratio ≤ 1.15', met: true });
    expect(rows[0]?.name).toContain('650 MiB');
  });

  it('compares the ready gap with MariaDB’s from the same run, and has no target without it', () => {
    const mysql = results('mysql-ready');
    const [total, gap] = mysqlReadyRows(mysql, fakeReady());
    expect([total?.value, total?.baseline?.value]).toEqual([14.5, expect.closeTo(8.3)]);
    // MariaDB's gap is 8.5 − 4.5 = 4 s; MySQL's 6.2 s.
    expect(gap).toMatchObject({ value: expect.closeTo(6.2), baseline: { name: 'MariaDB gap', value: 4 }, ratio: expect.closeTo(1.55), target: { met: false } });
    const [, alone] = mysqlReadyRows(mysql, undefined);
    expect([alone?.baseline, alone?.target]).toEqual([null, null]);
  });

  it('joins every section’s rows in the order they ran, counting the MySQL targets with the others', () => {
    const rows = summaryRows({ ready: fakeReady(), mysqlClone: results('mysql-clone'), mysqlReady: results('mysql-ready') });
    expect([...new Set(rows.map((row) => row.section))]).toEqual(['ready', 'mysql-clone', 'mysql-ready']);
    expect(countTargets(rows)).toEqual({ total: 2, met: 0 });
  });
});

describe('alternating', () => {
  it('puts the first path first in odd rounds and second in even ones', () => {
    expect(alternating(3, ['a', 'b']).map(({ round, path }) => `${round}${path}`)).toEqual(['1a', '1b', '2b', '2a', '3a', '3b']);
  });
});
