import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readScenarioLog, recordScenario, renderScenarioTable, SCENARIO_LOG_VARIABLE } from '../../e2e/support/scenario-table.js';

describe('the e2e scenario table', () => {
  const saved = process.env[SCENARIO_LOG_VARIABLE];
  let dir: string | undefined;
  afterEach(() => {
    if (saved === undefined) delete process.env[SCENARIO_LOG_VARIABLE];
    else process.env[SCENARIO_LOG_VARIABLE] = saved;
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  it('records results as lines of a file and reads them back in order', () => {
    dir = mkdtempSync(join(tmpdir(), 'scenario-table-'));
    process.env[SCENARIO_LOG_VARIABLE] = join(dir, 'log.jsonl');
    recordScenario({ scenario: 'one', server: 'MariaDB 10.11.6', rowsWritten: 3, rowsPerPod: { 'mysql-0': 3 }, checksumsEqual: true });
    recordScenario({ scenario: 'two', server: 'MySQL 9.7.4', rowsWritten: 5, rowsPerPod: { 'mysql-0': 5, 'mysql-1': 5 }, checksumsEqual: false, timeToReadyMs: 1234 });
    expect(readScenarioLog(join(dir, 'log.jsonl')).map((result) => [result.scenario, result.server])).toEqual([
      ['one', 'MariaDB 10.11.6'],
      ['two', 'MySQL 9.7.4'],
    ]);
  });

  it('reads a missing log as no scenarios', () => {
    expect(readScenarioLog(join(tmpdir(), 'no-such-scenario-log.jsonl'))).toEqual([]);
  });

  it('orders rows by scenario number, whatever order the files ran in', () => {
    const row = (scenario: string) => ({ scenario, server: 'MariaDB 10.11.6', rowsWritten: 1, rowsPerPod: { 'mysql-0': 1 }, checksumsEqual: true });
    const table = renderScenarioTable([row('10. bad input'), row('6b. hung'), row('unnumbered'), row('6a. cut'), row('2. scale')]);
    expect(table.split('\n').slice(2).map((line) => line.split('  ')[0])).toEqual(['2. scale', '6a. cut', '6b. hung', '10. bad input', 'unnumbered']);
  });

  it('puts the servers of one scenario together, in name order, after the scenario number and letter', () => {
    const row = (scenario: string, server: string) => ({ scenario, server, rowsWritten: 1, rowsPerPod: { 'mysql-0': 1 }, checksumsEqual: true });
    const table = renderScenarioTable([
      row('6b. hung', 'MySQL 9.7.4'),
      row('10. bad input', 'MySQL 9.7.4'),
      row('6a. cut', 'MySQL 9.7.4'),
      row('6b. hung', 'MariaDB 10.11.6'),
      row('10. bad input', 'MariaDB 10.11.6'),
      row('6a. cut', 'MariaDB 10.11.6'),
      row('1. bring-up', 'MySQL 9.7.4'),
    ]);
    const cells = table.split('\n').slice(2).map((line) => line.split(/ {2,}/).slice(0, 2));
    expect(cells).toEqual([
      ['1. bring-up', 'MySQL 9.7.4'],
      ['6a. cut', 'MariaDB 10.11.6'],
      ['6a. cut', 'MySQL 9.7.4'],
      ['6b. hung', 'MariaDB 10.11.6'],
      ['6b. hung', 'MySQL 9.7.4'],
      ['10. bad input', 'MariaDB 10.11.6'],
      ['10. bad input', 'MySQL 9.7.4'],
    ]);
  });

  it('renders one padded row per scenario with its server, NO for unequal checksums, its times and - for an unmeasured time', () => {
    const table = renderScenarioTable([
      { scenario: 'bring-up', server: 'MariaDB 10.11.6', rowsWritten: 1200, rowsPerPod: { 'mysql-0': 1200, 'mysql-1': 1200 }, checksumsEqual: true, timeToReadyMs: 4321 },
      { scenario: 'dns', server: 'MySQL 9.7.4', rowsWritten: 7, rowsPerPod: { 'mysql-0': 7 }, checksumsEqual: false },
      { scenario: 'cut', server: 'MySQL 9.7.4', rowsWritten: 9, rowsPerPod: { 'mysql-0': 9 }, checksumsEqual: true, timeToReadyMs: 3060, reconnectMs: 440, catchUpMs: 12_960 },
    ]);
    expect(table.split('\n')).toEqual([
      'scenario  server           rows written  rows found per pod         checksums equal  time to Ready  reconnect  caught up',
      '--------  ---------------  ------------  -------------------------  ---------------  -------------  ---------  ---------',
      'bring-up  MariaDB 10.11.6  1200          mysql-0=1200 mysql-1=1200  yes              4.3 s          -          -',
      'cut       MySQL 9.7.4      9             mysql-0=9                  yes              3.1 s          0.4 s      13.0 s',
      'dns       MySQL 9.7.4      7             mysql-0=7                  NO               -              -          -',
    ]);
  });
});
