import { renderCloneSummary, type CloneResults } from './clone-section.js';
import { imageDetails, imageRows } from './image-report.js';
import type { ImageResults } from './image-section.js';
import { renderMysql } from './mysql-report.js';
import { mysqlCloneRows, mysqlReadyRows } from './mysql-rows.js';
import type { MysqlResults } from './mysql-section.js';
import { renderIdleTable, renderLoadTable, renderStartTable } from './probe-report.js';
import { loopStarvedNote, type ProbeResults } from './probes.js';
import { renderReady } from './ready-report.js';
import type { ReadyResults } from './ready-section.js';
import { cloneRows, probeRows, readyRows } from './summary-rows.js';
import { countTargets, renderSummary, type SummaryRow } from './summary.js';

/** What the sections that ran returned. */
export interface SectionResults {
  readonly clone?: CloneResults;
  readonly ready?: ReadyResults;
  readonly probes?: ProbeResults;
  readonly image?: ImageResults;
  readonly mysqlClone?: MysqlResults;
  readonly mysqlReady?: MysqlResults;
}

/** The final table's rows, section by section, in the order the sections ran. */
export function summaryRows(results: SectionResults): SummaryRow[] {
  const { clone, ready, probes, image, mysqlClone, mysqlReady } = results;
  return [
    ...(clone ? cloneRows(clone) : []),
    ...(ready ? readyRows(ready) : []),
    ...(probes ? probeRows(probes) : []),
    ...(image ? imageRows(image) : []),
    ...(mysqlClone ? mysqlCloneRows(mysqlClone) : []),
    ...(mysqlReady ? mysqlReadyRows(mysqlReady, ready) : []),
  ];
}

function probeDetails(probes: ProbeResults): string[] {
  const { settings: p } = probes;
  return [
    `sidecar of ${probes.replica} (replica) on 127.0.0.1:8080, and a bare node HTTP server beside it for comparison: ${p.rate} req/s open loop, ${p.seconds} s per row after ${p.warmupSeconds} s warm-up, ` +
      `generator inside the pod (keep-alive); latency from each request's due time (stalls included); SQL/request from the server's Questions against an idle window as long`,
    renderLoadTable(probes),
    ...probes.loads.flatMap((load) => {
      const note = loopStarvedNote(load);
      return note === undefined ? [] : [`note: ${note}`];
    }),
    '',
    `idle over ${p.idleSeconds} s, ${p.settleSeconds} s after Ready (before the load windows); RSS includes the node binary's resident pages (file-backed)`,
    renderIdleTable(probes),
    '',
    `${renderStartTable(probes)}\n`,
  ];
}

function mysqlDetails(results: MysqlResults): string {
  const what = results.section === 'mysql-clone' ? 'the clone' : 'empty pod → Ready';
  return `MySQL 9.7, ${what} (mysql-1 from mysql-0, ${results.runsPerPath} runs per path; each phase is its own median)\n${renderMysql(results.summary)}\n`;
}

/** Each section's detailed tables: what the summary's rows come from. */
export function renderDetails(results: SectionResults): string[] {
  const { clone, ready, probes, image, mysqlClone, mysqlReady } = results;
  const lines = ['', '==== details ===='];
  if (clone !== undefined) lines.push(`${renderCloneSummary(clone)}\n`);
  if (ready !== undefined) {
    lines.push(`empty pod → Ready (mysql-1 replica of mysql-0, ${ready.runsPerPath} runs per path; each phase is its own median)`, `${renderReady(ready.summary)}\n`);
  }
  if (probes !== undefined) lines.push(...probeDetails(probes));
  if (image !== undefined) lines.push(...imageDetails(image));
  for (const mysql of [mysqlClone, mysqlReady]) if (mysql !== undefined) lines.push(mysqlDetails(mysql));
  return lines;
}

/** The details, then the one table of every section and its count of targets met; returns the table's rows. */
export function printSummaries(results: SectionResults, say: (line: string) => void): SummaryRow[] {
  for (const line of renderDetails(results)) say(line);
  const rows = summaryRows(results);
  const { total, met } = countTargets(rows);
  say('==== summary (every baseline measured in this run) ====');
  say(renderSummary(rows));
  say(`targets met: ${met} of ${total}`);
  return rows;
}
