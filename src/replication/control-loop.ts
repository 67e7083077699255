import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { CloneInfo } from '../clone/data-dir.js';
import { computeLag, parseHeartbeatTs, type Lag } from '../health/lag.js';
import { assessReadiness, Hysteresis, type Observation, type Verdict } from '../health/readiness.js';
import type { Logger } from '../log.js';
import { connectToServer, type ServerAddress } from '../mysql/connection.js';
import { dialectFor, type Dialect, type SourceSettings } from '../mysql/dialect.js';
import { readHeartbeat } from '../mysql/heartbeat.js';
import type { ReplicaStatus } from '../mysql/replica-status.js';
import { readServerState, type ServerState } from '../mysql/server-state.js';
import { findErrant } from './errant.js';
import { ensurePrimaryObjects, ensureWritable, writeHeartbeat } from './primary.js';
import { ensureReadOnly, pointAtSource, readReplicaStatus } from './replica.js';

export interface LoopSettings {
  readonly role: 'primary' | 'replica';
  readonly local: ServerAddress;
  /** Where replicas point: mysql-0's stable name, which mysqld resolves itself on every reconnect. */
  readonly source: SourceSettings;
  readonly primaryServerId: number;
  readonly cloneInfo: CloneInfo | undefined;
  readonly intervalMs: number;
  readonly maxLagSeconds: number;
  readonly readyChecks: number;
}

/** Everything probes, /status and /metrics read: kept in memory, refreshed each tick. */
export interface LoopState {
  readonly checkedAt: Date | undefined;
  readonly server: ServerState | undefined;
  readonly observation: Observation;
  readonly verdict: Verdict;
  readonly heartbeatWrites: number;
  readonly heartbeatFailures: number;
  readonly lastError: string | undefined;
}

/** Errors that mean "the replication config is fine, the network or source was not": retry after a pause. */
const RESTART_PAUSE_MS = 10_000;

/**
 * The sidecar's control loop, one cheap check a second. The primary: ensure
 * its users and heartbeat table, stay writable, write a heartbeat. A replica:
 * point at mysql-0 (from the clone's GTID position the first time), re-point
 * when the config drifted, restart threads that stopped on an error, stay
 * read-only, measure lag from the heartbeat, and never start on top of errant
 * transactions or a purged gap: those are reported, not repaired.
 */
export class ControlLoop {
  readonly #settings: LoopSettings;
  readonly #logger: Logger;
  readonly #hysteresis: Hysteresis;
  #connection: Connection | undefined;
  #dialect: Dialect | undefined;
  #preparedThisConnection = false;
  #lastRestart = 0;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  #state: LoopState;

  constructor(settings: LoopSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
    this.#hysteresis = new Hysteresis(settings.readyChecks);
    const observation: Observation = {
      role: settings.role,
      serverUp: false,
      serverError: 'not checked yet',
      writable: undefined,
      replication: undefined,
      lag: undefined,
      errant: undefined,
    };
    this.#state = {
      checkedAt: undefined,
      server: undefined,
      observation,
      verdict: { ready: false, reasons: ['not checked yet'] },
      heartbeatWrites: 0,
      heartbeatFailures: 0,
      lastError: undefined,
    };
  }

  get state(): LoopState {
    return this.#state;
  }

  start(): void {
    const tick = async () => {
      await this.tick();
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#settings.intervalMs);
    };
    void tick();
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#connection?.end().catch(() => undefined);
    this.#connection = undefined;
  }

  /** One check; never throws: a failure becomes the observation. */
  async tick(): Promise<LoopState> {
    let observation: Observation;
    let server: ServerState | undefined = this.#state.server;
    let lastError: string | undefined;
    try {
      const connection = await this.#connect();
      server = await readServerState(connection);
      this.#dialect = dialectFor(server.version);
      observation =
        this.#settings.role === 'primary' ? await this.#tickPrimary(connection, server) : await this.#tickReplica(connection, server);
    } catch (error) {
      lastError = (error as Error).message;
      this.#dropConnection();
      observation = { ...this.#state.observation, serverUp: false, serverError: lastError };
    }
    const verdict = this.#hysteresis.update(assessReadiness(observation, this.#settings.maxLagSeconds));
    if (verdict.ready !== this.#state.verdict.ready) {
      this.#logger[verdict.ready ? 'info' : 'warn']({ reasons: verdict.reasons }, verdict.ready ? 'ready' : 'not ready');
    }
    this.#state = { ...this.#state, checkedAt: new Date(), server, observation, verdict, lastError: lastError ?? this.#state.lastError };
    return this.#state;
  }

  async #connect(): Promise<Connection> {
    if (this.#connection) return this.#connection;
    this.#connection = await connectToServer(this.#settings.local);
    this.#preparedThisConnection = false;
    return this.#connection;
  }

  #dropConnection(): void {
    this.#connection?.destroy();
    this.#connection = undefined;
  }

  async #tickPrimary(connection: Connection, server: ServerState): Promise<Observation> {
    if (!this.#preparedThisConnection) {
      await ensurePrimaryObjects(connection, { user: this.#settings.source.user, password: this.#settings.source.password });
      this.#preparedThisConnection = true;
    }
    await ensureWritable(connection, server.version.flavor, server.readOnly);
    try {
      await writeHeartbeat(connection);
      this.#state = { ...this.#state, heartbeatWrites: this.#state.heartbeatWrites + 1 };
    } catch (error) {
      this.#state = { ...this.#state, heartbeatFailures: this.#state.heartbeatFailures + 1 };
      throw error;
    }
    return { role: 'primary', serverUp: true, serverError: undefined, writable: true, replication: undefined, lag: undefined, errant: undefined };
  }

  async #tickReplica(connection: Connection, server: ServerState): Promise<Observation> {
    const dialect = this.#dialect as Dialect;
    await ensureReadOnly(connection, server.version.flavor, server.readOnly);
    const errant = await this.#errant(connection, server);
    let status = await readReplicaStatus(connection, dialect);
    if (errant === undefined) status = await this.#reconcile(connection, dialect, status);
    const lag = await this.#lag(connection, status);
    return { role: 'replica', serverUp: true, serverError: undefined, writable: !server.readOnly, replication: status, lag, errant };
  }

  /** Brings replication to the desired state; returns the status after any change. */
  async #reconcile(connection: Connection, dialect: Dialect, status: ReplicaStatus | undefined): Promise<ReplicaStatus | undefined> {
    const { source } = this.#settings;
    const configured = status !== undefined && status.sourceHost !== '';
    if (!configured || status.sourceHost !== source.host || status.sourcePort !== source.port) {
      const gtidStart = configured ? undefined : (this.#settings.cloneInfo?.coordinates.gtid ?? '');
      this.#logger.info({ source: `${source.host}:${source.port}`, gtidStart, was: status?.sourceHost || null }, 'pointing replication at the primary');
      await pointAtSource(connection, { dialect, source, gtidStart });
      this.#preparedThisConnection = true;
      return readReplicaStatus(connection, dialect);
    }
    // 'Connecting' is the IO thread retrying on its own (a restarting primary): leave it be.
    const stopped = status.ioState === 'No' || !status.sqlRunning;
    if (!stopped) {
      this.#preparedThisConnection = true;
      return status;
    }
    const failed = status.lastIoErrno !== 0 || status.lastSqlErrno !== 0;
    // A server that just (re)started has replication stopped (skip-replica-start): start it. A stop without
    // an error later on is an operator's, and is respected; a purged gap (1236) cannot be fixed by a restart.
    const mayStart = !this.#preparedThisConnection || (failed && status.lastIoErrno !== 1236 && Date.now() - this.#lastRestart > RESTART_PAUSE_MS);
    this.#preparedThisConnection = true;
    if (!mayStart) return status;
    this.#lastRestart = Date.now();
    this.#logger.info({ lastIoErrno: status.lastIoErrno, lastSqlErrno: status.lastSqlErrno }, 'starting replication');
    await connection.query(dialect.startReplica);
    return readReplicaStatus(connection, dialect);
  }

  async #errant(connection: Connection, server: ServerState): Promise<string | undefined> {
    const flavor = server.version.flavor;
    const [rows] = await connection.query<RowDataPacket[]>(
      flavor === 'mariadb' ? 'SELECT @@gtid_binlog_pos AS position, NULL AS uuid' : 'SELECT @@gtid_executed AS position, @@server_uuid AS uuid',
    );
    const row = rows[0];
    return findErrant({
      flavor,
      position: String(row?.position ?? ''),
      primaryServerId: this.#settings.primaryServerId,
      ownServerUuid: row?.uuid === null || row?.uuid === undefined ? undefined : String(row.uuid),
    });
  }

  async #lag(connection: Connection, status: ReplicaStatus | undefined): Promise<Lag> {
    let heartbeat: { ts: string | undefined; now: string };
    try {
      heartbeat = await readHeartbeat(connection, this.#settings.primaryServerId);
    } catch (error) {
      // 1146: the heartbeat table has not replicated here yet.
      if ((error as { errno?: number }).errno === 1146) return { known: false, reason: 'no heartbeat received yet' };
      throw error;
    }
    return computeLag({
      heartbeatAt: heartbeat.ts === undefined ? undefined : parseHeartbeatTs(heartbeat.ts),
      replicaNow: parseHeartbeatTs(heartbeat.now) ?? Date.now(),
      ioRunning: status?.ioRunning ?? false,
      heartbeatIntervalMs: this.#settings.intervalMs,
    });
  }
}
