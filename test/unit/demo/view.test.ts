import { describe, expect, it } from 'vitest';
import { alignColumns, formatClone, formatPodPlain, renderBar, renderLine, renderTable, type PodView, type Snapshot } from '../../demo/view.js';

const MB = 1_048_576;

function pod(overrides: Partial<PodView>): PodView {
  return {
    name: 'mysql-0',
    phase: 'running',
    role: 'primary',
    ready: true,
    lagSeconds: null,
    rows: 1234,
    gtid: '0-100-1240',
    clone: null,
    cloned: null,
    restarts: 0,
    ...overrides,
  };
}

const running: Snapshot = {
  elapsedSeconds: 12.4,
  pods: [
    pod({}),
    pod({ name: 'mysql-1', role: 'replica', lagSeconds: 0.23, rows: 1230, cloned: { donor: 'mysql-0', bytes: 17 * MB, seconds: 0.61 } }),
    pod({ name: 'mysql-2', role: 'replica', phase: 'cloning', ready: null, rows: null, gtid: null, clone: { donor: 'mysql-1', bytes: 9 * MB, expectedBytes: 18 * MB } }),
  ],
  acknowledged: 1240,
  events: ['t=5s mysql-0: Ready'],
};

describe('demo rendering', () => {
  it('draws bars of a fixed width, clamping the fraction', () => {
    expect(renderBar(0, 4)).toBe('[----]');
    expect(renderBar(0.5, 4)).toBe('[##--]');
    expect(renderBar(1.7, 4)).toBe('[####]');
    expect(renderBar(Number.NaN, 4)).toBe('[----]');
  });

  it('prints one plain line: role, readiness, lag and rows of running pods, the phase of the others', () => {
    expect(renderLine(running)).toBe(
      't=12s mysql-0 primary ready lag=- rows=1234 | mysql-1 replica ready lag=0.2s rows=1230 | mysql-2 cloning 50% | writer acked=1240',
    );
  });

  it('shows unknown lag and readiness as ?, and a clone without the donor size in MB', () => {
    expect(formatPodPlain(pod({ name: 'mysql-1', role: 'replica', ready: null, lagSeconds: null, rows: null }))).toBe('mysql-1 replica ? lag=? rows=?');
    expect(formatPodPlain(pod({ phase: 'cloning', clone: { donor: null, bytes: 3 * MB, expectedBytes: null } }))).toBe('mysql-0 cloning 3.0 MB');
    expect(formatPodPlain(pod({ phase: 'pending' }))).toBe('mysql-0 pending');
  });

  it('the clone column: a bar while cloning, the source afterwards', () => {
    expect(formatClone(running.pods[2] as PodView, 10)).toBe('[#####-----] 50% 9.0 MB/18 MB from mysql-1');
    expect(formatClone(running.pods[1] as PodView)).toBe('17 MB from mysql-0 in 0.6s');
    expect(formatClone(running.pods[0] as PodView)).toBe('not cloned (first pod)');
  });

  it('aligns columns without trailing blanks', () => {
    expect(alignColumns([['POD', 'ROLE'], ['mysql-10', 'r'], ['m', '']])).toEqual(['POD       ROLE', 'mysql-10  r', 'm']);
  });

  it('the table has a header, a row a pod, the writer and the events', () => {
    const lines = renderTable(running);
    expect(lines[0]?.split(/\s+/)).toEqual(['POD', 'ROLE', 'PHASE', 'READY', 'LAG', 'ROWS', 'GTID', 'CLONE']);
    expect(lines[1]?.split(/\s{2,}/)).toEqual(['mysql-0', 'primary', 'running', 'ready', '-', '1234', '0-100-1240', 'not cloned (first pod)']);
    expect(lines[2]?.split(/\s{2,}/)).toEqual(['mysql-1', 'replica', 'running', 'ready', '0.2s', '1230', '0-100-1240', '17 MB from mysql-0 in 0.6s']);
    expect(lines[3]?.split(/\s{2,}/)).toEqual(['mysql-2', 'replica', 'cloning', '[##########----------] 50% 9.0 MB/18 MB from mysql-1']);
    expect(lines.slice(4)).toEqual(['', 'elapsed 12s   writer: 1240 rows acknowledged by mysql-0', '', 'events:', '  t=5s mysql-0: Ready']);
  });

  it('counts restarts in the phase column', () => {
    const lines = renderTable({ ...running, pods: [pod({ restarts: 2 })], events: [] });
    expect(lines[1]).toContain('running (2 restarts)');
  });
});
