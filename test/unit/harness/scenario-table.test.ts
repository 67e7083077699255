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
    recordScenario({ scenario: 'one', rowsWritten: 3, rowsPerPod: { 'mysql-0': 3 }, checksumsEqual: true });
    recordScenario({ scenario: 'two', rowsWritten: 5, rowsPerPod: { 'mysql-0': 5, 'mysql-1': 5 }, checksumsEqual: false, timeToReadyMs: 1234 });
    expect(readScenarioLog(join(dir, 'log.jsonl')).map((result) => result.scenario)).toEqual(['one', 'two']);
  });

  it('reads a missing log as no scenarios', () => {
    expect(readScenarioLog(join(tmpdir(), 'no-such-scenario-log.jsonl'))).toEqual([]);
  });

  it('orders rows by scenario number, whatever order the files ran in', () => {
    const row = (scenario: string) => ({ scenario, rowsWritten: 1, rowsPerPod: { 'mysql-0': 1 }, checksumsEqual: true });
    const table = renderScenarioTable([row('10. bad input'), row('6b. hung'), row('unnumbered'), row('6a. cut'), row('2. scale')]);
    expect(table.split('\n').slice(2).map((line) => line.split('  ')[0])).toEqual(['2. scale', '6a. cut', '6b. hung', '10. bad input', 'unnumbered']);
  });

  it('renders one padded row per scenario, NO for unequal checksums and - for an unmeasured time', () => {
    const table = renderScenarioTable([
      { scenario: 'bring-up', rowsWritten: 1200, rowsPerPod: { 'mysql-0': 1200, 'mysql-1': 1200 }, checksumsEqual: true, timeToReadyMs: 4321 },
      { scenario: 'dns', rowsWritten: 7, rowsPerPod: { 'mysql-0': 7 }, checksumsEqual: false },
    ]);
    expect(table.split('\n')).toEqual([
      'scenario  rows written  rows found per pod         checksums equal  time to Ready',
      '--------  ------------  -------------------------  ---------------  -------------',
      'bring-up  1200          mysql-0=1200 mysql-1=1200  yes              4.3 s',
      'dns       7             mysql-0=7                  NO               -',
    ]);
  });
});
