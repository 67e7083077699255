import { isPurgedGap, type ReplicaStatus } from '../mysql/replica-status.js';
import { SECONDS_BEHIND_NULL, type Lag } from './lag.js';

/** What the control loop saw in one check; readiness is a pure function of it. */
export interface Observation {
  readonly role: 'primary' | 'replica';
  readonly serverUp: boolean;
  readonly serverError: string | undefined;
  readonly writable: boolean | undefined;
  readonly replication: ReplicaStatus | undefined;
  readonly lag: Lag | undefined;
  /** GTIDs this replica has that the primary lacks. */
  readonly errant: string | undefined;
  /** Why the pod is not Ready while its server waits for, or takes, a CLONE-plugin clone. */
  readonly cloning?: string | undefined;
}

export interface Verdict {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/** Readiness at one instant (ARCHITECTURE.md, "Lag and readiness"); hysteresis is applied on top. */
export function assessReadiness(observation: Observation, maxLagSeconds: number): Verdict {
  if (observation.cloning !== undefined) return notReady(observation.cloning);
  if (!observation.serverUp) return notReady(`the server does not answer: ${observation.serverError ?? 'unknown error'}`);
  if (observation.role === 'primary') {
    return observation.writable === false ? notReady('the primary is read-only') : { ready: true, reasons: [] };
  }
  const reasons: string[] = [];
  const status = observation.replication;
  if (observation.errant) reasons.push(`errant transactions: the replica has ${observation.errant} that the primary lacks`);
  if (status === undefined) {
    reasons.push('replication is not configured');
  } else {
    if (isPurgedGap(status)) {
      reasons.push(`purged: the primary no longer has binlogs this replica needs (error 1236: ${status.lastIoError})`);
    } else if (status.lastIoErrno !== 0) {
      reasons.push(`replication IO error ${status.lastIoErrno}: ${status.lastIoError}`);
    }
    if (status.lastSqlErrno !== 0) reasons.push(`replication SQL error ${status.lastSqlErrno}: ${status.lastSqlError}`);
    if (!status.ioRunning) reasons.push(`the IO thread is not running (${status.ioState || 'No'})`);
    if (!status.sqlRunning) reasons.push('the SQL thread is not running');
  }
  const lag = observation.lag;
  const runs = status !== undefined && status.ioRunning && status.sqlRunning;
  if (lag === undefined || !lag.known) reasons.push(`lag unknown: ${lag?.known === false ? lag.reason : 'not measured'}`);
  else if (runs && status.secondsBehind === null) reasons.push(`lag unknown: ${SECONDS_BEHIND_NULL}`);
  else if (lag.seconds > maxLagSeconds) reasons.push(`lag ${lag.seconds.toFixed(1)} s is above the ${maxLagSeconds} s threshold`);
  return { ready: reasons.length === 0, reasons };
}

function notReady(reason: string): Verdict {
  return { ready: false, reasons: [reason] };
}

/**
 * Flips only after `checks` consecutive verdicts agree, so one slow check does
 * not take a replica out of the read Service and one lucky check does not put
 * a broken one back.
 */
export class Hysteresis {
  #ready = false;
  #streak = 0;
  #reasons: readonly string[] = ['not checked yet'];

  constructor(private readonly checks: number) {}

  update(verdict: Verdict): Verdict {
    if (verdict.ready === this.#ready) {
      this.#streak = 0;
      this.#reasons = verdict.reasons;
    } else if (++this.#streak >= this.checks) {
      this.#ready = verdict.ready;
      this.#streak = 0;
      this.#reasons = verdict.reasons;
    } else if (!verdict.ready) {
      this.#reasons = verdict.reasons;
    }
    return { ready: this.#ready, reasons: this.#ready ? [] : this.#reasons };
  }
}
