/**
 * A derived table of the integers 1..count (column `n`), in SQL both MariaDB
 * and MySQL run: a cross join of digit tables, no sequence engine (MariaDB
 * only) and no recursion limit (MySQL stops a recursive CTE at 1000 rows).
 */
export function numbersTable(count: number): string {
  if (!Number.isSafeInteger(count) || count < 1 || count > 10_000_000) throw new Error(`numbersTable(${count}): expected 1..10000000`);
  const places = String(count - 1).length;
  const digits = '(SELECT 0 AS d UNION ALL SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4 UNION ALL SELECT 5 UNION ALL SELECT 6 UNION ALL SELECT 7 UNION ALL SELECT 8 UNION ALL SELECT 9)';
  const tables = Array.from({ length: places }, (_, place) => `${digits} AS p${place}`).join(' CROSS JOIN ');
  const value = Array.from({ length: places }, (_, place) => `p${place}.d * ${10 ** place}`).join(' + ');
  return `(SELECT ${value} + 1 AS n FROM ${tables} WHERE ${value} < ${count})`;
}
