import type { Connection } from 'mysql2/promise';
import { cloneReason } from '../clone/clone-plugin/report.js';
import type { ClonePluginProvisioner } from '../clone/clone-plugin/provisioner.js';
import { assessReadiness, Hysteresis, type Observation } from '../health/readiness.js';
import type { Logger } from '../log.js';
import { readServerState, type ServerState } from '../mysql/server-state.js';
import { closeGently, closeHard, readServerBootTime, withDeadline } from './connection-guard.js';
import { ServerRestarts } from './server-restarts.js';
import { initialLoopState, type LoopSettings, type LoopState } from './loop-types.js';
import { SourceSnapshots } from './source-snapshots.js';
import { StalledDumpReaper } from './stalled-dumps.js';
import { checkPrimary, checkReplica, type ReplicaMemory } from './role-checks.js';
import { connectAsAgent, ensureUsersAsRoot } from './users.js';
import { connectToServer } from '../mysql/connection.js';
import { nextCheckInMs } from './check-cadence.js';
import { serverIdentityFault } from '../identity/server-identity.js';

/** One check may take this long; a server that does not answer by then is hung, not slow. */
const TICK_DEADLINE_MS = 5_000;

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
  #bootstrapped = false;
  #warnedRootFallback = false;
  /** Whether a new connection reaches a server that (re)started. */
  readonly #restarts = new ServerRestarts();
  /** What the replica's rules remember between checks (see planReplication). */
  readonly #memory: ReplicaMemory = { freshBoot: true, lastRestartAt: 0, actedAt: 0, readOnlyRestores: 0, readOnlySeen: false, primaryLacked: false, gapAskedAt: 0, gapAnswer: undefined };
  #timer: NodeJS.Timeout | undefined;
  #inFlight: Promise<LoopState> | undefined;
  #stopped = false;
  readonly #startedAt = Date.now();
  #state: LoopState;
  #provisioner: ClonePluginProvisioner | undefined;
  /** The clone was recorded in the last check: the role's first check follows at once. */
  #justCloned = false;
  /** Replicas: the source's GTID positions, a lag bound that needs no heartbeat writer. */
  readonly #snapshots: SourceSnapshots | undefined;
  /** The primary ends binlog dump threads whose replica stopped acknowledging. */
  readonly #dumps: StalledDumpReaper;

  constructor(settings: LoopSettings, logger: Logger) {
    this.#settings = settings;
    this.#logger = logger;
    this.#hysteresis = new Hysteresis(settings.readyChecks);
    this.#provisioner = settings.provisioner;
    this.#state = initialLoopState(settings);
    this.#snapshots = settings.role === 'replica' ? new SourceSnapshots(settings.source, settings.intervalMs) : undefined;
    this.#dumps = new StalledDumpReaper(logger, { replicationUser: settings.source.user });
  }

  get state(): LoopState {
    return this.#state;
  }

  start(): void {
    const tick = async () => {
      this.#inFlight = this.tick();
      await this.#inFlight;
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#nextCheckInMs());
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
    this.#provisioner?.stop();
    await this.#inFlight;
    await this.#snapshots?.stop();
    const connection = this.#connection;
    this.#connection = undefined;
    if (connection === undefined) return;
    await closeGently(connection);
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
      this.#restarts.answered();
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
    const cloning = this.#provisioner?.report;
    const { readOnlyRestores } = this.#memory;
    this.#state = { ...this.#state, checkedAt: new Date(), server, observation, verdict, lastError, cloning, readOnlyRestores };
    return this.#state;
  }

  async #check(connection: Connection): Promise<{ server: ServerState; observation: Observation }> {
    const server = await readServerState(connection);
    const fault = serverIdentityFault(this.#settings.identity, server.serverId);
    if (fault !== undefined) return { server, observation: this.#misidentified(fault) };
    if (this.#provisioner !== undefined) return { server, observation: await this.#provision(this.#provisioner, connection) };
    if (this.#snapshots !== undefined) {
      const input = { connection, server, settings: this.#settings, cloneInfo: this.#state.cloneInfo, memory: this.#memory, snapshots: this.#snapshots, logger: this.#logger };
      return { server, observation: await checkReplica(input) };
    }
    const observation = await checkPrimary(connection, server, this.#dumps, (written) => {
      const { heartbeatWrites, heartbeatFailures } = this.#state;
      this.#state = written ? { ...this.#state, heartbeatWrites: heartbeatWrites + 1 } : { ...this.#state, heartbeatFailures: heartbeatFailures + 1 };
    });
    return { server, observation };
  }

  /**
   * What is known while the server does not answer: nothing current. The last
   * replication status and lag would read as live values (a running IO thread,
   * a small lag) in /status and /metrics, so they are dropped; an errant GTID
   * stays a fact of the data.
   */
  /** A server that is not this pod's (it never read the identity config): reported, once in the log, and not acted on. */
  #misidentified(fault: string): Observation {
    if (this.#state.observation.misidentified !== fault) this.#logger.error({ reason: fault }, 'the server is not the one the identity config describes: the sidecar leaves it alone');
    return this.#answeredOnly({ errant: this.#state.observation.errant, misidentified: fault });
  }

  #unanswered(error: string): Observation {
    const replica = this.#settings.role === 'replica';
    this.#provisioner?.serverGone();
    const cloning = this.#provisioner === undefined ? undefined : cloneReason(this.#provisioner.report);
    return {
      cloning,
      role: this.#settings.role,
      serverUp: false,
      serverError: error,
      writable: undefined,
      replication: undefined,
      lag: replica ? { known: false, reason: `the server does not answer: ${error}` } : undefined,
      errant: this.#state.observation.errant,
    };
  }

  /**
   * One check of a server waiting for its clone. Once the clone is recorded the
   * connection (root's) is dropped, so the next check connects the usual way.
   */
  async #provision(provisioner: ClonePluginProvisioner, connection: Connection): Promise<Observation> {
    const info = await provisioner.check(connection);
    if (info !== undefined) {
      this.#provisioner = undefined;
      this.#state = { ...this.#state, cloneInfo: info };
      this.#memory.freshBoot = true;
      this.#memory.readOnlySeen = false;
      this.#justCloned = true;
    }
    // Not kept between checks: a server that shuts down to finish a clone waits 2 s for clients still connected.
    if (this.#connection !== undefined) void closeGently(this.#connection);
    this.#connection = undefined;
    const cloning = info === undefined ? cloneReason(provisioner.report) : 'cloned: switching to replication';
    return this.#answeredOnly({ cloning });
  }

  /** A server that answered, where the check stopped before its role's reads: `facts` say why. */
  #answeredOnly(facts: Partial<Pick<Observation, 'cloning' | 'misidentified' | 'errant'>>): Observation {
    const { role } = this.#settings;
    return { role, serverUp: true, serverError: undefined, writable: undefined, replication: undefined, lag: undefined, errant: undefined, ...facts };
  }

  #nextCheckInMs(): number {
    const justCloned = this.#justCloned;
    this.#justCloned = false;
    return nextCheckInMs({
      intervalMs: this.#settings.intervalMs,
      justCloned,
      clonePhase: this.#provisioner?.report.phase,
      serverAnswered: this.#state.server !== undefined,
      ready: this.#state.verdict.ready,
      actedAt: this.#memory.actedAt,
      startedAt: this.#startedAt,
      now: Date.now(),
    });
  }

  async #connect(): Promise<Connection> {
    if (this.#connection) return this.#connection;
    if (this.#provisioner !== undefined) return this.#keep(await connectToServer(this.#settings.root));
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
    return this.#keep(connection);
  }

  /** Takes a new connection as the loop's, noting whether it reaches a server that (re)started since the last one. */
  async #keep(connection: Connection): Promise<Connection> {
    // A server that goes away between checks makes mysql2 emit 'error'; the next query reports it.
    connection.on('error', () => undefined);
    try {
      const bootedAt = await withDeadline(readServerBootTime(connection), { ms: TICK_DEADLINE_MS, onTimeout: () => closeHard(connection) });
      if (this.#restarts.isNewBoot(bootedAt)) {
        this.#memory.freshBoot = true;
        this.#memory.readOnlySeen = false;
      }
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
}
