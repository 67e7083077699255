import { performance } from 'node:perf_hooks';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { boundFromSnapshots, type GtidSnapshot, type SnapshotBound } from '../health/gtid-bound.js';
import { connectToServer } from '../mysql/connection.js';
import type { SourceSettings } from '../mysql/dialect.js';
import type { Flavor } from '../mysql/server-version.js';
import { closeGently, closeHard, withDeadline } from './connection-guard.js';

/** How long snapshots are kept: a replica further behind than this (with no heartbeat either) has an unknown lag. */
const RETAIN_MS = 60_000;
/** One read of the source may take this long; a slower answer only makes its bound larger, a missing one is a failure. */
const READ_DEADLINE_MS = 3_000;
/** The source's last answer is current for this many check intervals: one late answer is not an outage. */
const FRESH_INTERVALS = 3;

/** The source's executed GTID set: any user may read these variables, the replication user included. */
/** The source's side of an idle snapshot connection lasts this many reads' time, and at least MIN_IDLE_SECONDS. */
const IDLE_READS = 5;
const MIN_IDLE_SECONDS = 10;

/** The source's executed GTIDs: what it holds (read with no privilege). */
export const SOURCE_GTID_SQL: Record<Flavor, string> = {
  mariadb: 'SELECT @@GLOBAL.gtid_binlog_pos AS gtid',
  mysql: 'SELECT @@GLOBAL.gtid_executed AS gtid',
};

/** What this replica applied from its source: MariaDB's gtid_slave_pos (never its own writes), MySQL's gtid_executed. */
const APPLIED_SQL: Record<Flavor, string> = {
  mariadb: 'SELECT @@GLOBAL.gtid_slave_pos AS gtid',
  mysql: 'SELECT @@GLOBAL.gtid_executed AS gtid',
};

/**
 * The replica sidecar's reads of its source's GTID set (ARCHITECTURE.md, "Lag
 * and readiness"): on a connection of its own, as the replication user, to
 * the host and port the replica's IO thread is configured with (not assumed to
 * be mysql-0). A read runs beside the control loop's check, never inside it:
 * a slow or silent source must not delay the replica's own check.
 */
export class SourceSnapshots {
  readonly #credentials: Pick<SourceSettings, 'user' | 'password'>;
  readonly #freshMs: number;
  #snapshots: GtidSnapshot[] = [];
  #target: string | undefined;
  #connection: Connection | undefined;
  readonly #intervalMs: number;
  #inFlight: Promise<void> | undefined;
  #lastAnswerAt: number | undefined;
  #lastError: string | undefined;

  constructor(credentials: Pick<SourceSettings, 'user' | 'password'>, intervalMs: number) {
    this.#credentials = credentials;
    this.#intervalMs = intervalMs;
    this.#freshMs = FRESH_INTERVALS * intervalMs;
  }

  /** Starts one read of `source` unless one is still in flight; a new source starts the history afresh. */
  take(source: { host: string; port: number }, flavor: Flavor): void {
    if (source.host === '' || this.#inFlight !== undefined) return;
    const target = `${source.host}:${source.port}`;
    if (target !== this.#target) this.#forget(target);
    this.#inFlight = this.#read(source, flavor, target).finally(() => {
      this.#inFlight = undefined;
    });
  }

  /** The bound at `now` (performance.now(), taken after `applied` was read). */
  bound(flavor: Flavor, applied: string, now: number): SnapshotBound {
    return boundFromSnapshots({ flavor, snapshots: this.#snapshots, applied, now, lastAnswerAt: this.#lastAnswerAt, lastError: this.#lastError, freshMs: this.#freshMs });
  }

  async stop(): Promise<void> {
    await this.#inFlight;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection !== undefined) await closeGently(connection);
  }

  async #read(source: { host: string; port: number }, flavor: Flavor, target: string): Promise<void> {
    try {
      const connection = this.#connection ?? (await this.#open(source));
      const sentAt = performance.now();
      const [rows] = await withDeadline(connection.query<RowDataPacket[]>(SOURCE_GTID_SQL[flavor]), { ms: READ_DEADLINE_MS, onTimeout: () => closeHard(connection) });
      const receivedAt = performance.now();
      // The source changed while the read was out: its answer belongs to the old history.
      if (target !== this.#target) return;
      this.#snapshots = [...this.#snapshots.filter((s) => receivedAt - s.receivedAt <= RETAIN_MS), { sentAt, receivedAt, gtid: String(rows[0]?.gtid ?? '').replace(/\s+/g, '') }];
      this.#lastAnswerAt = receivedAt;
      this.#lastError = undefined;
    } catch (error) {
      this.#lastError = (error as Error).message;
      if (this.#connection !== undefined) closeHard(this.#connection);
      this.#connection = undefined;
    }
  }

  async #open(source: { host: string; port: number }): Promise<Connection> {
    const connection = await connectToServer({ host: source.host, port: source.port, ...this.#credentials });
    // A source that goes away between reads makes mysql2 emit 'error'; the next read reports it.
    connection.on('error', () => undefined);
    // Across a partition this end gives up, but the source's end stays open, idle (nothing in flight for the
    // primary's reaper to see): the source closes it itself once it is idle for a few reads' time.
    await connection.query('SET SESSION wait_timeout = ?', [Math.max(MIN_IDLE_SECONDS, Math.ceil((IDLE_READS * this.#intervalMs) / 1000))]);
    this.#connection = connection;
    return connection;
  }

  #forget(target: string): void {
    this.#target = target;
    this.#snapshots = [];
    this.#lastAnswerAt = undefined;
    this.#lastError = undefined;
    if (this.#connection !== undefined) void closeGently(this.#connection);
    this.#connection = undefined;
  }
}

/** This replica's applied position, read on the loop's connection. */
export async function readAppliedGtid(connection: Connection, flavor: Flavor): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>(APPLIED_SQL[flavor]);
  return String(rows[0]?.gtid ?? '').replace(/\s+/g, '');
}
