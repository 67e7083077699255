import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * The e2e scenarios' summary: each scenario records one line (a JSON object)
 * in the file named by E2E_SCENARIO_LOG, which the vitest config sets for the
 * whole run; the summary reporter prints the table after the run. A file,
 * because test files run in worker processes and the reporter in the main one.
 */

export const SCENARIO_LOG_VARIABLE = 'E2E_SCENARIO_LOG';

export interface ScenarioResult {
  readonly scenario: string;
  /** The server the scenario ran on, as `SELECT VERSION()` names it (`MariaDB 10.11.6`, `MySQL 9.7.4`). */
  readonly server: string;
  /** Rows the writer had acknowledged when it stopped. */
  readonly rowsWritten: number;
  /** Rows found on each pod at the end, by pod name. */
  readonly rowsPerPod: Readonly<Record<string, number>>;
  /** Every pod's CHECKSUM TABLE equal. */
  readonly checksumsEqual: boolean;
  /** The slowest pod's time from its start (or restart) to Ready in this scenario, when the scenario measured one. */
  readonly timeToReadyMs?: number | undefined;
  /** A replica cut off: from its link's return to its IO thread running and receiving events. */
  readonly reconnectMs?: number | undefined;
  /** A replica cut off: from its link's return to it having applied all the primary had then. */
  readonly catchUpMs?: number | undefined;
}

export function recordScenario(result: ScenarioResult): void {
  const file = process.env[SCENARIO_LOG_VARIABLE];
  if (file === undefined || file === '') return;
  appendFileSync(file, `${JSON.stringify(result)}\n`);
}

export function readScenarioLog(file: string): ScenarioResult[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as ScenarioResult);
}

const HEADERS = ['scenario', 'server', 'rows written', 'rows found per pod', 'checksums equal', 'time to Ready', 'reconnect', 'caught up'] as const;

function seconds(ms: number | undefined): string {
  return ms === undefined ? '-' : `${(ms / 1000).toFixed(1)} s`;
}

function cells(result: ScenarioResult): string[] {
  const perPod = Object.entries(result.rowsPerPod)
    .map(([pod, rows]) => `${pod}=${rows}`)
    .join(' ');
  const times = [result.timeToReadyMs, result.reconnectMs, result.catchUpMs].map(seconds);
  return [result.scenario, result.server, String(result.rowsWritten), perPod, result.checksumsEqual ? 'yes' : 'NO', ...times];
}

/** A scenario's label as the issue numbers it: `6a.` is (6, 'a'); an unnumbered one sorts last. */
function labelOf(result: ScenarioResult): { number: number; suffix: string } {
  const match = /^(\d+)([a-z]*)\./.exec(result.scenario);
  return match === null ? { number: Number.MAX_SAFE_INTEGER, suffix: '' } : { number: Number(match[1]), suffix: match[2] ?? '' };
}

/**
 * Scenarios run file by file in no fixed order; the table follows the issue's
 * numbering ("6a." after "4.", "6b." after "6a."), then the server, so each
 * scenario's rows for the two servers stand together.
 */
function byScenarioThenServer(a: ScenarioResult, b: ScenarioResult): number {
  const [left, right] = [labelOf(a), labelOf(b)];
  return (
    left.number - right.number ||
    left.suffix.localeCompare(right.suffix) ||
    a.server.localeCompare(b.server) ||
    a.scenario.localeCompare(b.scenario)
  );
}

/** A plain-text table, one row per scenario and server in that order, columns padded to their widest cell. */
export function renderScenarioTable(results: readonly ScenarioResult[]): string {
  const rows = [[...HEADERS], ...[...results].sort(byScenarioThenServer).map(cells)];
  const widths = HEADERS.map((_, column) => Math.max(...rows.map((row) => row[column]?.length ?? 0)));
  const line = (row: readonly string[]): string =>
    row
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(rows[0] ?? []), line(widths.map((width) => '-'.repeat(width))), ...rows.slice(1).map(line)].join('\n');
}
