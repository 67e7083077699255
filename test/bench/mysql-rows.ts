import type { MysqlResults } from './mysql-section.js';
import { MYSQL_TARGETS } from './mysql-report.js';
import type { ReadyResults } from './ready-section.js';
import { ratioTarget, summaryRow, type SummaryRow } from './summary.js';

/**
 * The final table's MySQL rows, from the results the MySQL sections returned
 * (and, for the ready gap, the MariaDB ready section of the same run): pure,
 * so the unit tests feed them made-up results.
 */

const MIB = 1024 * 1024;

function sizeName(results: MysqlResults): string {
  return `${(results.data.dataDirBytes / MIB).toFixed(0)} MiB`;
}

export function mysqlCloneRows(results: MysqlResults): SummaryRow[] {
  const section = 'mysql-clone';
  const { agent, byHand } = results.summary;
  return [
    summaryRow({
      section,
      name: `MySQL CLONE of ${sizeName(results)}, median s: agent (init + sidecar until recorded) vs CLONE INSTANCE by hand`,
      value: agent.median,
      unit: 's',
      baseline: { name: 'by hand', value: byHand.median },
      target: ratioTarget(agent.median, byHand.median, MYSQL_TARGETS.cloneVsByHand),
    }),
    summaryRow({
      section,
      name: '  the same clones by clone_status END − BEGIN (the server’s count, restart included)',
      value: agent.cloneStatusSeconds,
      unit: 's',
      baseline: { name: 'by hand', value: byHand.cloneStatusSeconds },
    }),
  ];
}

/** MariaDB's empty pod → Ready gap (agent − by hand) from the ready section of the same run. */
export function mariadbReadyGap(ready: ReadyResults): number {
  return ready.summary.agent.medianSeconds - ready.summary.byHand.medianSeconds;
}

/** The total against its floor, and the gap against MariaDB's when the MariaDB ready section ran too (else no target). */
export function mysqlReadyRows(results: MysqlResults, mariadbReady: ReadyResults | undefined): SummaryRow[] {
  const section = 'mysql-ready';
  const { agent, byHand, gap } = results.summary;
  const mariadbGap = mariadbReady === undefined ? undefined : mariadbReadyGap(mariadbReady);
  const comparable = mariadbGap !== undefined && mariadbGap > 0;
  return [
    summaryRow({
      section,
      name: `MySQL empty pod → Ready replica, ${sizeName(results)}, median s: agent`,
      value: agent.median,
      unit: 's',
      baseline: { name: 'by hand', value: byHand.median },
    }),
    summaryRow({
      section,
      name: 'MySQL empty pod → Ready gap (agent − by hand), s, against MariaDB’s gap',
      value: gap,
      unit: 's',
      ...(mariadbGap === undefined ? {} : { baseline: { name: 'MariaDB gap', value: mariadbGap } }),
      ...(comparable ? { target: ratioTarget(gap, mariadbGap, MYSQL_TARGETS.readyGapVsMariadb) } : {}),
    }),
  ];
}
