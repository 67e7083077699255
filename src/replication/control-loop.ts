import type { Connection } from 'mysql2/promise';
import type { CloneInfo } from '../clone/data-dir.js';
import { assessReadiness, Hysteresis, isPurgedGap, type Observation, type Verdict } from '../health/readiness.js';
import type { Logger } from '../log.js';
import type { ServerAddress } from '../mysql/connection.js';
import { dialectFor, type Dialect, type SourceSettings } from '../mysql/dialect.js';
import type { ReplicaStatus } from '../mysql/replica-status.js';
import { readServerState, type ServerState } from '../mysql/server-state.js';
import { closeHard, readServerBootTime, withDeadline } from './connection-guard.js';
import { ensureWritable, writeHeartbeat } from './primary.js';
import { connectAsAgent, ensureUsersAsRoot } from './users.js';
import { ensureReadOnly, pointAtSource, readErrant, readLag, readReplicaStatus } from './replica.js';

export interface LoopSettings {
  readonly role: 'primary' | 'replica';
  /** The local server as the agent's own least-privilege user. */
  readonly local: ServerAddress;
  /** The local server as root: only to create the users on the primary, or while a replica lacks the agent user. */
  readonly root: ServerAddress;
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
/** One check may take this long; a server that does not answer by then is hung, not slow. */
const TICK_DEADLINE_MS = 5_000;
/** Two boot times further apart than this are two server instances (Uptime has a 1 s resolution). */
const BOOT_TOLERANCE_MS = 2_500;

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
  #bootstrapped = false;
  #warnedRootFallback = false;
  /** When the server we are connected to started; a different one is a restart. */
  #serverBootedAt: number | undefined;
  /** The server (re)started, or this agent did: replication stopped by skip-replica-start is ours to start. */
  #freshBoot = true;
  #lastRestart = 0;
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<LoopState> | undefined;
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
      this.#inFlight = this.tick();
      await this.#inFlight;
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#settings.intervalMs);
    };
    void tick();
  }

  /**
   * Ends the loop: waits for the check in flight (bounded by its deadline) so
   * it cannot open a connection afterwards, then closes the connection, at
   * once if the server does not answer the goodbye: a dangling socket would
   * keep the process from exiting on SIGTERM.
   */
  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#inFlight;
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection === undefined) return;
    await withDeadline(connection.end(), { ms: 1_000, onTimeout: () => closeHard(connection) }).catch(() => closeHard(connection));
  }

  /** One check; never throws: a failure becomes the observation. */
  async tick(): Promise<LoopState> {
    let observation: Observation;
    let server: ServerState | undefined = this.#state.server;
    let lastError: string | undefined;
    try {
      const connection = await this.#connect();
      const checked = await withDeadline(this.#check(connection), { ms: TICK_DEADLINE_MS, onTimeout: () => closeHard(connection) });
      server = checked.server;
      observation = checked.observation;
    } catch (error) {
      lastError = (error as Error).message;
      this.#dropConnection();
      observation = this.#unanswered(lastError);
    }
    const verdict = this.#hysteresis.update(assessReadiness(observation, this.#settings.maxLagSeconds));
    if (verdict.ready !== this.#state.verdict.ready) {
      this.#logger[verdict.ready ? 'info' : 'warn']({ reasons: verdict.reasons }, verdict.ready ? 'ready' : 'not ready');
    }
    this.#state = { ...this.#state, checkedAt: new Date(), server, observation, verdict, lastError: lastError ?? this.#state.lastError };
    return this.#state;
  }

  async #check(connection: Connection): Promise<{ server: ServerState; observation: Observation }> {
    const server = await readServerState(connection);
    this.#dialect = dialectFor(server.version);
    const observation =
      this.#settings.role === 'primary' ? await this.#tickPrimary(connection, server) : await this.#tickReplica(connection, server);
    return { server, observation };
  }

  /**
   * What is known while the server does not answer: nothing current. The last
   * replication status and lag would read as live values (a running IO thread,
   * a small lag) in /status and /metrics, so they are dropped; an errant GTID
   * stays a fact of the data.
   */
  #unanswered(error: string): Observation {
    const replica = this.#settings.role === 'replica';
    return {
      role: this.#settings.role,
      serverUp: false,
      serverError: error,
      writable: undefined,
      replication: undefined,
      lag: replica ? { known: false, reason: `the server does not answer: ${error}` } : undefined,
      errant: this.#state.observation.errant,
    };
  }

  async #connect(): Promise<Connection> {
    if (this.#connection) return this.#connection;
    if (this.#settings.role === 'primary' && !this.#bootstrapped) {
      await ensureUsersAsRoot({ ...this.#settings, deadlineMs: TICK_DEADLINE_MS });
      this.#bootstrapped = true;
      this.#logger.info({ agentUser: this.#settings.local.user, replicationUser: this.#settings.source.user }, 'ensured the agent and replication users');
    }
    const connection = await connectAsAgent({
      ...this.#settings,
      onRootFallback: () => {
        if (this.#warnedRootFallback) return;
        this.#warnedRootFallback = true;
        this.#logger.warn({ agentUser: this.#settings.local.user }, 'the agent user cannot log in here yet; using root until it replicates');
      },
    });
    // A server that goes away between checks makes mysql2 emit 'error'; the next query reports it.
    connection.on('error', () => undefined);
    try {
      const bootedAt = await withDeadline(readServerBootTime(connection), { ms: TICK_DEADLINE_MS, onTimeout: () => closeHard(connection) });
      if (this.#serverBootedAt === undefined || Math.abs(bootedAt - this.#serverBootedAt) > BOOT_TOLERANCE_MS) this.#freshBoot = true;
      this.#serverBootedAt = bootedAt;
    } catch (error) {
      closeHard(connection);
      throw error;
    }
    this.#connection = connection;
    return connection;
  }

  #dropConnection(): void {
    if (this.#connection) closeHard(this.#connection);
    this.#connection = undefined;
  }

  async #tickPrimary(connection: Connection, server: ServerState): Promise<Observation> {
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
    const { primaryServerId, intervalMs } = this.#settings;
    const errant = await readErrant(connection, { flavor: server.version.flavor, primaryServerId });
    let status = await readReplicaStatus(connection, dialect);
    if (errant === undefined) status = await this.#reconcile(connection, dialect, status, server);
    const lag = await readLag(connection, { primaryServerId, status, heartbeatIntervalMs: intervalMs });
    return { role: 'replica', serverUp: true, serverError: undefined, writable: !server.readOnly, replication: status, lag, errant };
  }

  /** Brings replication to the desired state; returns the status after any change. */
  async #reconcile(
    connection: Connection,
    dialect: Dialect,
    status: ReplicaStatus | undefined,
    server: ServerState,
  ): Promise<ReplicaStatus | undefined> {
    const { source } = this.#settings;
    const configured = status !== undefined && status.sourceHost !== '';
    const freshBoot = this.#freshBoot;
    this.#freshBoot = false;
    if (!configured || status.sourceHost !== source.host || status.sourcePort !== source.port) {
      const gtidStart = configured ? undefined : this.#gtidStart(server);
      this.#logger.info({ source: `${source.host}:${source.port}`, gtidStart, was: status?.sourceHost || null }, 'pointing replication at the primary');
      await pointAtSource(connection, { dialect, source, gtidStart });
      return readReplicaStatus(connection, dialect);
    }
    // 'Connecting' is the IO thread retrying on its own (a restarting primary): leave it be.
    const stopped = status.ioState === 'No' || !status.sqlRunning;
    if (!stopped) return status;
    const failed = status.lastIoErrno !== 0 || status.lastSqlErrno !== 0;
    // A thread stopped without an error of its own was stopped by hand; START would start it too, so an
    // error of the other thread (the IO thread while the primary restarts) is no reason to start.
    const byHand = (status.ioState === 'No' && status.lastIoErrno === 0) || (!status.sqlRunning && status.lastSqlErrno === 0);
    // A server that just (re)started has replication stopped (skip-replica-start): start it. A stop without
    // an error later on is an operator's, and is respected (also when this agent reconnects to the same
    // server); a purged gap (1236) cannot be fixed by a restart.
    const mayStart = freshBoot || (failed && !byHand && !isPurgedGap(status) && Date.now() - this.#lastRestart > RESTART_PAUSE_MS);
    if (!mayStart) return status;
    this.#lastRestart = Date.now();
    this.#logger.info({ lastIoErrno: status.lastIoErrno, lastSqlErrno: status.lastSqlErrno }, 'starting replication');
    await connection.query(dialect.startReplica);
    return readReplicaStatus(connection, dialect);
  }

  /**
   * Where replication starts when it is configured. MariaDB: the clone's GTID
   * position while this server has logged nothing yet (a fresh clone); once it
   * has (a replica whose replication config was reset later), its own binlog
   * position is the truth: the clone's would rewind it and replay transactions
   * it already has (errant GTIDs were ruled out before). MySQL: the clone's
   * position whenever there is one; pointAtSource compares it with
   * gtid_executed and changes nothing on a server that is already past it.
   */
  #gtidStart(server: ServerState): string | undefined {
    const cloneGtid = this.#settings.cloneInfo?.coordinates.gtid;
    if (server.version.flavor === 'mysql') return cloneGtid === '' ? undefined : cloneGtid;
    return server.gtidPosition === '' ? cloneGtid : server.gtidPosition;
  }
}
