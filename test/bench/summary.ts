import { formatTable } from '../../src/cli/table.js';
import type { BenchSection } from './settings.js';

/**
 * One line of the final table, whatever the section: a measured value, the
 * baseline measured beside it in the same run (never a number from another
 * run or machine), their ratio, and the project's target when there is one.
 * The same rows go into bench.json as `summary`.
 */
export interface SummaryRow {
  readonly section: BenchSection;
  readonly name: string;
  readonly value: number;
  /** 's', 'ms', 'MB', 'MiB/s', '×' (a ratio of two of our own numbers), or '' (a count). */
  readonly unit: string;
  readonly baseline: { readonly name: string; readonly value: number } | null;
  /** value / baseline; null without a baseline, for a noise-floor baseline, or when the baseline is not above 0 (a ratio to nothing means nothing). */
  readonly ratio: number | null;
  readonly target: { readonly text: string; readonly met: boolean } | null;
}

/** A row; the ratio is derived, so it cannot disagree with the two numbers it comes from. */
export function summaryRow(input: {
  section: BenchSection;
  name: string;
  value: number;
  unit: string;
  baseline?: { name: string; value: number };
  /** The baseline is a noise floor (a count that should be 0 on both sides): shown, not divided by. */
  noRatio?: boolean;
  target?: { text: string; met: boolean };
}): SummaryRow {
  const baseline = input.baseline ?? null;
  const divisible = baseline !== null && baseline.value > 0 && input.noRatio !== true;
  return {
    section: input.section,
    name: input.name,
    value: input.value,
    unit: input.unit,
    baseline,
    ratio: divisible ? input.value / baseline.value : null,
    target: input.target ?? null,
  };
}

/** Target on the ratio (`value / baseline ≤ limit`). */
export function ratioTarget(value: number, baseline: number, limit: number): { text: string; met: boolean } {
  return { text: `ratio ≤ ${limit.toFixed(2)}`, met: value / baseline <= limit };
}

/** Target on the value itself (`value < limit unit`). */
export function belowTarget(value: number, limit: number, unit: string): { text: string; met: boolean } {
  return { text: `< ${limit}${unit === '' ? '' : ` ${unit}`}`, met: value < limit };
}

/** Digits that carry information at each unit's scale. */
export function formatValue(value: number, unit: string): string {
  const digits = unit === '' ? 4 : unit === 'MB' || unit === 'MiB/s' ? 1 : unit === 's' && Math.abs(value) < 1 ? 3 : 2;
  return `${value.toFixed(digits)}${unit === '' || unit === '×' ? '' : ` ${unit}`}`;
}

export function renderSummary(rows: readonly SummaryRow[]): string {
  return formatTable(
    ['section', 'what', 'value', 'baseline (same run)', 'ratio', 'target', 'verdict'],
    rows.map((row) => [
      row.section,
      row.name,
      formatValue(row.value, row.unit),
      row.baseline === null ? '-' : `${row.baseline.name} ${formatValue(row.baseline.value, row.unit)}`,
      row.ratio === null ? '-' : row.ratio.toFixed(2),
      row.target?.text ?? '-',
      row.target === null ? '' : row.target.met ? 'met' : 'NOT met',
    ]),
  );
}

/** How many rows have a target, and how many of those are met: the last line of the printout. */
export function countTargets(rows: readonly SummaryRow[]): { total: number; met: number } {
  const targeted = rows.filter((row) => row.target !== null);
  return { total: targeted.length, met: targeted.filter((row) => row.target?.met === true).length };
}
