import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Connection } from 'mysql2/promise';
import { DATA_DIR_AGENT_DIR } from '../../src/data-dir/layout.js';
import { directorySize } from '../../src/fs/directory-size.js';
import type { Pod } from '../cluster/index.js';
import { numbersTable } from '../support/numbers.js';
import { elapsedSince } from './clock.js';

export const BENCH_SCHEMA = 'bench';
export const BENCH_TABLE = 'blob_rows';
/** RANDOM_BYTES returns at most 1024 bytes: seven of them make a row that still fits inline in a 16 KiB page (two per page). */
const CHUNKS_PER_ROW = 7;
export const ROW_PAYLOAD_BYTES = CHUNKS_PER_ROW * 1024;
/** ~14 MiB per statement: big enough that the statement overhead vanishes, small enough for a 32 MiB buffer pool. */
const ROWS_PER_BATCH = 2048;
const FLUSH_TIMEOUT_MS = 120_000;
/**
 * Flushed enough: 1 MiB of 16 KiB pages, against hundreds of MiB loaded. Not 0:
 * the primary's sidecar writes a heartbeat every second, which keeps a few
 * pages dirty at all times, so waiting for 0 always ran into the timeout.
 */
const FLUSHED_ENOUGH_PAGES = 64;

export interface LoadedData {
  readonly rows: number;
  readonly payloadBytes: number;
  readonly loadSeconds: number;
  /** What information_schema says the table takes (data + indexes). */
  readonly tableBytes: number;
  /** The table's tablespace file on disk. */
  readonly ibdBytes: number;
  /** Files of the data dir a backup copies (binlogs excluded, as the donor's estimate does): the MB/s basis. */
  readonly dataDirBytes: number;
}

/**
 * Fills mysql-0 (MariaDB or MySQL) with incompressible rows (random bytes: no transport or
 * filesystem can shrink them) up to `dataMb` of payload, then waits until
 * InnoDB has flushed them, so every timed run copies the same files with the
 * same (small) redo to apply. Called again with a larger size it adds the
 * missing rows: the small size is timed first, then the table grows.
 */
export async function loadData(pod: Pod, dataMb: number, say: (line: string) => void): Promise<LoadedData> {
  const rows = Math.ceil((dataMb * 1024 * 1024) / ROW_PAYLOAD_BYTES);
  const started = process.hrtime.bigint();
  const conn = await pod.connect();
  try {
    // Binlogs are not part of a backup: writing 500 MB of row events too would only slow the load down.
    await conn.query('SET SESSION sql_log_bin = 0');
    await conn.query(`CREATE DATABASE IF NOT EXISTS ${BENCH_SCHEMA}`);
    await conn.query(`CREATE TABLE IF NOT EXISTS ${BENCH_SCHEMA}.${BENCH_TABLE} (id INT PRIMARY KEY, payload VARBINARY(8000)) ENGINE=InnoDB`);
    const [have] = await conn.query(`SELECT COALESCE(MAX(id), 0) AS last FROM ${BENCH_SCHEMA}.${BENCH_TABLE}`);
    const loaded = Number((have as Array<{ last: number | string }>)[0]?.last ?? 0);
    await insertRows(conn, { from: loaded + 1, to: rows, started, say });
    await waitForFlush(conn, say);
    await conn.query(`ANALYZE TABLE ${BENCH_SCHEMA}.${BENCH_TABLE}`);
    const [tableRows] = await conn.query(
      'SELECT DATA_LENGTH + INDEX_LENGTH AS bytes FROM information_schema.TABLES WHERE TABLE_SCHEMA = ? AND TABLE_NAME = ?',
      [BENCH_SCHEMA, BENCH_TABLE],
    );
    const tableBytes = Number((tableRows as Array<{ bytes: number | string }>)[0]?.bytes ?? 0);
    const total = Math.max(rows, loaded);
    return {
      rows: total,
      payloadBytes: total * ROW_PAYLOAD_BYTES,
      loadSeconds: elapsedSince(started),
      tableBytes,
      ibdBytes: (await stat(tableFile(pod.paths.data))).size,
      dataDirBytes: await directorySize(pod.paths.data, (name) => name === DATA_DIR_AGENT_DIR || /^(mysql|relay)-bin\./.test(name)),
    };
  } finally {
    await conn.end().catch(() => undefined);
  }
}

/** Rows `from`..`to` in batches (none when `from` > `to`), with progress every 10 %. */
async function insertRows(conn: Connection, input: { from: number; to: number; started: bigint; say: (line: string) => void }): Promise<void> {
  const { from, to, started, say } = input;
  const payload = `CONCAT(${Array.from({ length: CHUNKS_PER_ROW }, () => 'RANDOM_BYTES(1024)').join(', ')})`;
  const count = to - from + 1;
  let nextReport = 0.1;
  for (let first = from; first <= to; first += ROWS_PER_BATCH) {
    const last = Math.min(to, first + ROWS_PER_BATCH - 1);
    // numbersTable, not MariaDB's seq_1_to_n tables: the same SQL loads MariaDB and MySQL. In key order: MySQL's
    // join returns the numbers in descending runs, and out-of-order inserts leave pages half full (twice the file).
    await conn.query(`INSERT INTO ${BENCH_SCHEMA}.${BENCH_TABLE} SELECT n + ${first - 1}, ${payload} FROM ${numbersTable(last - first + 1)} AS numbers ORDER BY n`);
    const done = (last - from + 1) / count;
    if (done >= nextReport) {
      say(`  loaded rows ${from}..${last} of ${from}..${to} (${Math.round(done * 100)}%, ${elapsedSince(started).toFixed(0)} s)`);
      nextReport += 0.1;
    }
  }
}

export function tableFile(dataDir: string): string {
  return join(dataDir, BENCH_SCHEMA, `${BENCH_TABLE}.ibd`);
}

/**
 * Dirty pages left in the buffer pool would be flushed by the page cleaner
 * during the first timed runs and make them slower than the rest; lowering the
 * dirty-page target to 0 for a moment makes InnoDB write them now (all but
 * the few the heartbeat keeps dirtying).
 */
async function waitForFlush(conn: Connection, say: (line: string) => void): Promise<void> {
  const [before] = await conn.query('SELECT @@GLOBAL.innodb_max_dirty_pages_pct AS pct');
  const pct = Number((before as Array<{ pct: number | string }>)[0]?.pct ?? 90);
  await conn.query('SET GLOBAL innodb_max_dirty_pages_pct = 0');
  try {
    const deadline = Date.now() + FLUSH_TIMEOUT_MS;
    for (;;) {
      // SHOW GLOBAL STATUS: MySQL 8+ has no information_schema.GLOBAL_STATUS.
      const [status] = await conn.query("SHOW GLOBAL STATUS LIKE 'Innodb_buffer_pool_pages_dirty'");
      const dirty = Number((status as Array<{ Value: string }>)[0]?.Value ?? 0);
      if (dirty <= FLUSHED_ENOUGH_PAGES) return;
      if (Date.now() > deadline) {
        say(`  warning: ${dirty} dirty pages still unflushed after ${FLUSH_TIMEOUT_MS / 1000} s; the first runs may be slower`);
        return;
      }
      await sleep(200);
    }
  } finally {
    await conn.query(`SET GLOBAL innodb_max_dirty_pages_pct = ${pct}`);
  }
}
