import type { Connection, RowDataPacket } from 'mysql2/promise';
import type { CloneInfo } from '../../data-dir/clone-info.js';
import { AgentError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { connectToServer, type ServerAddress } from '../../mysql/connection.js';
import { ER_NO_SUCH_TABLE, ER_RESTART_SERVER_FAILED, serverErrno } from '../../mysql/error-numbers.js';
import { classifyFailure, cloneStatementFault, describeFault } from '../failure.js';
import { backoffDelay } from '../../retry.js';
import type { Secret } from '../../secret.js';
import type { ChosenDonor, DonorSearch } from '../find-donors.js';
import { describeProgress, type CloneAttemptReport } from './report.js';
import { DonorSurvey } from './survey.js';
import {
  CLONE_PROGRESS_QUERY,
  CLONE_STATUS_QUERY,
  cloneInstanceStatement,
  donorOf,
  parseCloneStatus,
  summariseProgress,
  USER_SCHEMAS_QUERY,
  validDonorStatement,
  type ClonePluginProgress,
  type ClonePluginStatus,
} from './statements.js';

export interface ProvisionerDeps {
  /** This server as root: a freshly initialised server has no other user, and CLONE needs CLONE_ADMIN. */
  readonly root: ServerAddress;
  /** The donor-side user (BACKUP_ADMIN) every pod of the set has. */
  readonly cloneUser: { readonly user: string; readonly password: Secret };
  readonly mysqlPort: number;
  readonly findDonors: () => Promise<DonorSearch>;
  /** Runs on the cloned server before the clone is recorded (the primary drops the replication channel a replica donor had). */
  readonly afterClone: (connection: Connection) => Promise<void>;
  /** Records a completed clone (clone.json, marker, request removed) and returns what was recorded. */
  readonly record: (status: ClonePluginStatus, progress: ClonePluginProgress | undefined) => Promise<CloneInfo>;
  readonly logger: Logger;
}

const BACKOFF = { baseMs: 2_000, maxMs: 30_000 };
/** After a failure of this volume (full, too small, read-only): each try is a full copy on a donor, and only an operator fixes the volume. */
const PERMANENT_RETRY_MS = 10 * 60_000;
const NO_CLONE_TABLES =
  'performance_schema.clone_status is missing: the server runs without the clone plugin (plugin-load-add=mysql_clone.so, from the identity config) or without performance_schema; the CLONE plugin needs both';

/** clone_status and clone_progress, or undefined when the server has no such tables. */
async function readClone(connection: Connection): Promise<{ status: ClonePluginStatus | undefined; progress: ClonePluginProgress | undefined } | undefined> {
  try {
    const [statusRows] = await connection.query<RowDataPacket[]>(CLONE_STATUS_QUERY);
    const [progressRows] = await connection.query<RowDataPacket[]>(CLONE_PROGRESS_QUERY);
    return { status: parseCloneStatus(statusRows[0]), progress: summariseProgress(progressRows) };
  } catch (error) {
    if (serverErrno(error) === ER_NO_SUCH_TABLE) return undefined;
    throw error;
  }
}
const LOG_EVERY_MS = 5_000;

/** A CLONE INSTANCE error that is this server's volume's fault, as an error that says so first; undefined for any other. */
function localCloneFailure(error: unknown, donor: string): AgentError | undefined {
  const text = (error as Error).message;
  const fault = cloneStatementFault(serverErrno(error), text);
  return fault === undefined ? undefined : new AgentError('clone', `${describeFault(fault)} while cloning from ${donor}: ${text}`, { fault });
}

/**
 * The recipient side of the CLONE-plugin clone (ARCHITECTURE.md, "The
 * CLONE-plugin clone"), driven by the sidecar's loop one check at a time: the
 * statement runs on a connection of its own in the background (it takes as long
 * as the copy), while each check reads clone_status and clone_progress on the
 * loop's connection. MySQL finishes a clone by restarting the server; the
 * kubelet restarts the exited container, and the first check that finds the
 * clone Completed records it.
 */
export class ClonePluginProvisioner {
  readonly #deps: ProvisionerDeps;
  #attempt: Promise<void> | undefined;
  #cloneConnection: Connection | undefined;
  #report: CloneAttemptReport = { phase: 'starting', donor: undefined, progress: undefined, lastError: undefined, failures: 0 };
  #retryAt = 0;
  #loggedAt = 0;
  readonly #survey: DonorSurvey;
  #moved: () => void = () => undefined;
  /**
   * Resolves once nothing about the clone is pressing: CLONE INSTANCE was
   * sent, the server does not answer yet, or a check started no clone. The
   * sidecar loads its HTTP side after it (serve.ts).
   */
  readonly firstMove: Promise<void>;

  constructor(deps: ProvisionerDeps) {
    this.#deps = deps;
    this.#survey = new DonorSurvey(deps.findDonors);
    this.firstMove = new Promise((resolve) => {
      this.#moved = resolve;
    });
  }

  get report(): CloneAttemptReport {
    return this.#report;
  }

  /** One check; resolves with the recorded clone once it is complete. */
  async check(connection: Connection): Promise<CloneInfo | undefined> {
    const info = await this.#checkServer(connection);
    if (this.#attempt === undefined) this.#moved();
    return info;
  }

  /** Surveys the donors ahead while the clone has yet to start, so that the check that finds the server issues CLONE at once. */
  surveyAhead(): void {
    if (this.#report.phase === 'starting') this.#survey.ahead();
  }

  async #checkServer(connection: Connection): Promise<CloneInfo | undefined> {
    const observed = await readClone(connection);
    if (observed === undefined) {
      this.#refuse(NO_CLONE_TABLES);
      return undefined;
    }
    const { status, progress } = observed;
    if (status?.state === 'Completed') return this.#finish(connection, status, progress);
    if (status?.state === 'In Progress') {
      this.#update({ phase: this.#report.phase === 'restarting' ? 'restarting' : 'cloning', donor: this.#report.donor ?? donorOf(status), progress });
      return undefined;
    }
    if (this.#attempt !== undefined || Date.now() < this.#retryAt) return undefined;
    const [schemas] = await connection.query<RowDataPacket[]>(USER_SCHEMAS_QUERY);
    if (schemas.length > 0) {
      const names = schemas.map((row) => String(row.name)).join(', ');
      this.#refuse(`the server holds databases (${names}): not cloning over them; delete this pod's volume to rebuild it from a peer`);
      return undefined;
    }
    this.#attempt = this.#runAttempt().finally(() => {
      this.#attempt = undefined;
      this.#moved();
    });
    return undefined;
  }

  /** The server went away: during a clone that is the restart that finishes it. */
  serverGone(): void {
    if (this.#report.phase === 'cloning') this.#update({ phase: 'restarting' });
    this.surveyAhead();
    this.#moved();
  }

  /** Ends a clone in flight (SIGTERM): the server rolls a cut clone back, and the next start clones again. */
  stop(): void {
    this.#cloneConnection?.destroy();
  }

  async #runAttempt(): Promise<void> {
    this.#update({ phase: 'choosing-donor', progress: undefined });
    try {
      const search = await this.#survey.take();
      if (search.donors.length === 0) throw new AgentError('clone', `failed to find a donor: ${search.plan.action === 'clone' ? 'no donor has an address' : search.plan.reason}`);
      this.#deps.logger.info({ donors: search.donors.map((donor) => donor.name), peers: search.peers }, 'chose the donors for the CLONE plugin');
      for (const donor of search.donors) {
        if (await this.#cloneFrom(donor)) return;
      }
      throw new AgentError('clone', `failed to clone from any donor: ${this.#report.lastError ?? 'no donor'}`);
    } catch (error) {
      const failures = this.#report.failures + 1;
      const delayMs = classifyFailure(error).permanent ? PERMANENT_RETRY_MS : backoffDelay(failures, BACKOFF);
      this.#retryAt = Date.now() + delayMs;
      this.#update({ phase: 'waiting', lastError: (error as Error).message, failures });
      this.#deps.logger.warn({ error: (error as Error).message, retryInMs: delayMs }, 'not able to clone yet');
    }
  }

  /** One CLONE INSTANCE; true when the server took the data (it restarts next). */
  async #cloneFrom(donor: ChosenDonor): Promise<boolean> {
    const target = { host: donor.fqdn, port: this.#deps.mysqlPort };
    this.#update({ phase: 'cloning', donor: donor.name, progress: undefined });
    this.#deps.logger.info({ step: 'clone', donor: donor.name, method: 'clone-plugin' }, 'cloning');
    let connection: Connection | undefined;
    let cloning = false;
    try {
      connection = await connectToServer(this.#deps.root);
      this.#cloneConnection = connection;
      connection.on('error', () => undefined);
      const only = validDonorStatement(target);
      await connection.query(only.sql, [...only.params]);
      const clone = cloneInstanceStatement({ ...target, user: this.#deps.cloneUser.user, password: this.#deps.cloneUser.password.reveal() });
      cloning = true;
      const answer = connection.query(clone.sql, [...clone.params]);
      this.#moved();
      await answer;
      this.#update({ phase: 'restarting' });
      return true;
    } catch (error) {
      // Without a supervisor the server cannot restart itself: it exits (3707), and the kubelet starts it again.
      // The connection lost without an answer to CLONE may be the same exit: the next check reads clone_status and knows.
      const errno = serverErrno(error);
      if (cloning && (errno === ER_RESTART_SERVER_FAILED || errno === undefined)) {
        this.#update({ phase: 'restarting' });
        this.#deps.logger.info({ donor: donor.name, answer: (error as Error).message }, 'the server took the clone and exits to restart on it');
        return true;
      }
      const local = localCloneFailure(error, donor.name);
      // This server's volume: the next donor would fail the same way, after another full copy.
      if (local !== undefined) throw local;
      const message = `${donor.name}: ${(error as Error).message}`;
      this.#update({ lastError: message, failures: this.#report.failures + 1 });
      this.#deps.logger.warn({ donor: donor.name, error: (error as Error).message }, 'clone failed; trying the next donor');
      return false;
    } finally {
      this.#cloneConnection = undefined;
      connection?.destroy();
    }
  }

  async #finish(connection: Connection, status: ClonePluginStatus, progress: ClonePluginProgress | undefined): Promise<CloneInfo> {
    await this.#deps.afterClone(connection);
    const info = await this.#deps.record(status, progress);
    this.#update({ phase: 'done', donor: info.donor, progress });
    this.#deps.logger.info({ step: 'commit', ...info, method: 'clone-plugin' }, 'clone complete: data dir ready');
    return info;
  }

  /**
   * A clone this server cannot take, said in the log once per reason: the pod
   * is never Ready, and the loop logs only readiness changes, so without this
   * line `kubectl logs` would say nothing of why (it stays on /status and /readyz).
   */
  #refuse(reason: string): void {
    if (this.#report.phase !== 'refused' || this.#report.lastError !== reason) this.#deps.logger.warn({ reason }, 'not cloning');
    this.#update({ phase: 'refused', lastError: reason });
  }

  #update(change: Partial<CloneAttemptReport>): void {
    this.#report = { ...this.#report, ...change };
    const now = Date.now();
    if (this.#report.phase === 'cloning' && this.#report.progress !== undefined && now - this.#loggedAt >= LOG_EVERY_MS) {
      this.#loggedAt = now;
      this.#deps.logger.info({ step: 'clone', donor: this.#report.donor, ...describeProgress(this.#report.progress) }, 'cloning');
    }
  }
}
