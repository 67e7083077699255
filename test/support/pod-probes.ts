import { HTTP_PORT, startAgentPod } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { waitFor } from '../cluster/wait.js';
import type { StatusDocument } from '../../src/http/status-document.js';
import { tableDigest } from './pod-inspect.js';
import { operatorSql, serverVersionOf } from './server-sql.js';

/**
 * What the replication tests read from a pod's sidecar (its HTTP surface) and
 * its server, and the conditions they wait on. /status and /readyz are polled
 * at waitFor's 50 ms: answering them costs the sidecar no SQL, and a coarser
 * poll only adds its half to every wait for a flip.
 */

export interface Readyz {
  readonly status: number;
  readonly ok: boolean;
  readonly reasons: readonly string[];
}

export async function readyzOf(pod: Pod): Promise<Readyz> {
  const response = await pod.httpGet(HTTP_PORT, '/readyz');
  const body = JSON.parse(response.body) as { ok: boolean; reasons: string[] };
  return { status: response.status, ok: body.ok, reasons: body.reasons };
}

export async function statusOf(pod: Pod): Promise<StatusDocument> {
  const response = await pod.httpGet(HTTP_PORT, '/status');
  if (response.status !== 200) throw new Error(`GET /status of ${pod.name} answered ${response.status}: ${response.body}`);
  return JSON.parse(response.body) as StatusDocument;
}

/** Polls the pod's /status until `accept` holds; returns that document. */
export async function waitForStatus(pod: Pod, what: string, accept: (doc: StatusDocument) => boolean, timeoutMs = 20_000): Promise<StatusDocument> {
  let last: StatusDocument | undefined;
  try {
    return await waitFor(
      async () => {
        last = await statusOf(pod);
        return accept(last) ? last : undefined;
      },
      { what: `${pod.name}'s /status to show ${what}`, timeoutMs },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last: ${JSON.stringify({ server: last?.server, replication: last?.replication, lag: last?.lag, reasons: last?.reasons })}`, { cause: error });
  }
}

export async function metricsOf(pod: Pod): Promise<string> {
  const response = await pod.httpGet(HTTP_PORT, '/metrics');
  if (response.status !== 200) throw new Error(`GET /metrics of ${pod.name} answered ${response.status}`);
  return response.body;
}

/** The printed value of an unlabelled series (`Nan` is how prom-client prints NaN), or undefined when absent. */
export function sample(text: string, name: string): string | undefined {
  const line = text.split('\n').find((candidate) => candidate.startsWith(`${name} `));
  return line?.slice(name.length + 1).trim();
}

/**
 * Waits until /readyz answers `status` and, when given, every pattern matches
 * one of its reasons; returns that answer. The last answer seen goes into the
 * timeout message.
 */
export async function waitForReadyz(
  pod: Pod,
  status: 200 | 503,
  opts: { timeoutMs: number; reasons?: readonly RegExp[] },
): Promise<Readyz> {
  let last: Readyz | undefined;
  try {
    return await waitFor(
      async () => {
        last = await readyzOf(pod);
        if (last.status !== status) return undefined;
        const patterns = opts.reasons ?? [];
        return patterns.every((pattern) => last?.reasons.some((reason) => pattern.test(reason))) ? last : undefined;
      },
      { what: `${pod.name}'s /readyz to answer ${status}${opts.reasons ? ` with ${opts.reasons.join(', ')}` : ''}`, timeoutMs: opts.timeoutMs },
    );
  } catch (error) {
    throw new Error(`${(error as Error).message}; last answer: ${JSON.stringify(last)}`, { cause: error });
  }
}

/**
 * SHOW SLAVE/REPLICA STATUS in each server's own words, read with the column
 * names written out in `operatorSql` rather than the agent's parser.
 */
export interface ReplicationRow {
  /** Yes / No / Connecting. */
  readonly ioRunning: string;
  readonly sqlRunning: string;
  readonly lastIoErrno: number;
  readonly lastIoError: string;
  readonly lastSqlErrno: number;
  readonly sqlDelay: number;
}

export async function replicationRowOf(pod: Pod): Promise<ReplicationRow> {
  const sql = operatorSql((await serverVersionOf(pod)).flavor);
  const [row] = await pod.query(sql.replicaStatus);
  if (row === undefined) throw new Error(`${pod.name} has no replication configured`);
  return {
    ioRunning: String(row[sql.threadColumns.io]),
    sqlRunning: String(row[sql.threadColumns.sql]),
    lastIoErrno: Number(row['Last_IO_Errno']),
    lastIoError: String(row['Last_IO_Error']),
    lastSqlErrno: Number(row['Last_SQL_Errno']),
    sqlDelay: Number(row['SQL_Delay']),
  };
}

/** The same row under MariaDB's column names, whichever server the pod runs (for callers written against MariaDB). */
export interface SlaveStatusRow {
  readonly Slave_IO_Running: string;
  readonly Slave_SQL_Running: string;
  readonly Last_IO_Errno: number;
  readonly Last_IO_Error: string;
  readonly Last_SQL_Errno: number;
  readonly SQL_Delay: number;
}

export async function slaveStatusOf(pod: Pod): Promise<SlaveStatusRow> {
  const row = await replicationRowOf(pod);
  return {
    Slave_IO_Running: row.ioRunning,
    Slave_SQL_Running: row.sqlRunning,
    Last_IO_Errno: row.lastIoErrno,
    Last_IO_Error: row.lastIoError,
    Last_SQL_Errno: row.lastSqlErrno,
    SQL_Delay: row.sqlDelay,
  };
}

/** Waits until every pod's copy of `table` has the primary's row count and checksum; returns that digest. */
export async function waitForSameData(primary: Pod, others: readonly Pod[], table: string, timeoutMs = 30_000) {
  const expected = await tableDigest(primary, table);
  for (const pod of others) {
    await waitFor(
      async () => {
        const digest = await tableDigest(pod, table);
        return digest.count === expected.count && digest.checksum === expected.checksum ? true : undefined;
      },
      { what: `${pod.name}'s ${table} to equal ${primary.name}'s (${JSON.stringify(expected)})`, timeoutMs, intervalMs: 200 },
    );
  }
  return expected;
}

/** Acknowledged ids missing from the pod's table: must be []. */
export async function missingRows(pod: Pod, table: string, acknowledged: readonly number[]): Promise<number[]> {
  const ids = new Set((await pod.query<{ id: number }>(`SELECT id FROM ${table}`)).map((row) => Number(row.id)));
  return acknowledged.filter((id) => !ids.has(id));
}

/** Waits until the writer has had `count` more rows acknowledged than now (writes flow). */
export async function waitForWrites(writer: { acknowledged: readonly number[] }, count: number, timeoutMs = 20_000): Promise<void> {
  const target = writer.acknowledged.length + count;
  await waitFor(async () => (writer.acknowledged.length >= target ? true : undefined), {
    what: `${count} more acknowledged writes`,
    timeoutMs,
  });
}

/** mysql-0 of a new set, started by the agent, with the `app.rows` table every scenario writes into. */
export async function startPrimaryWithRows(cluster: Cluster, env: Record<string, string>): Promise<Pod> {
  const primary = await startAgentPod(cluster, 0, env);
  await primary.query('CREATE DATABASE app');
  await primary.query('CREATE TABLE app.rows (id INT PRIMARY KEY, note VARCHAR(64))');
  return primary;
}
