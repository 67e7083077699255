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
  /** Why the running server is not the one the identity config describes (identity/server-identity.ts): nothing else was checked. */
  readonly misidentified?: string | undefined;
}

export interface Verdict {
  readonly ready: boolean;
  readonly reasons: readonly string[];
}

/**
 * One check's verdict, and whether it is a fact that holds on the first check
 * that shows it (`certain`) or a reading near the lag threshold that may
 * flicker from one check to the next (ARCHITECTURE.md, "Lag and readiness").
 */
export interface Assessment extends Verdict {
  readonly certain: boolean;
}

/**
 * Readiness at one instant (ARCHITECTURE.md, "Lag and readiness"); the
 * hysteresis applies on top, to the uncertain verdicts only.
 */
export function assessReadiness(observation: Observation, maxLagSeconds: number): Assessment {
  if (observation.cloning !== undefined) return notReady(observation.cloning);
  if (!observation.serverUp) return notReady(`the server does not answer: ${observation.serverError ?? 'unknown error'}`);
  if (observation.misidentified !== undefined) return notReady(observation.misidentified);
  if (observation.role === 'primary') {
    return observation.writable === false ? notReady('the primary is read-only') : { ready: true, reasons: [], certain: true };
  }
  const reasons = replicationFaults(observation);
  const lag = observation.lag;
  const status = observation.replication;
  const runs = status !== undefined && status.ioRunning && status.sqlRunning;
  if (lag === undefined || !lag.known) reasons.push(`lag unknown: ${lag?.known === false ? lag.reason : 'not measured'}`);
  else if (runs && status.secondsBehind === null) reasons.push(`lag unknown: ${SECONDS_BEHIND_NULL}`);
  const facts = reasons.length;
  if (lag?.known === true && lag.seconds > maxLagSeconds) reasons.push(`lag ${lag.seconds.toFixed(1)} s is above the ${maxLagSeconds} s threshold`);
  if (reasons.length > 0) return { ready: false, reasons, certain: facts > 0 };
  // Only a known lag within the threshold is left: near the threshold it flickers, far below it is a fact.
  return { ready: true, reasons: [], certain: lag?.known === true && lag.seconds <= maxLagSeconds * CAUGHT_UP_SHARE };
}

/** A lag at most this share of the threshold is caught up beyond doubt: Ready on the first check that shows it. */
export const CAUGHT_UP_SHARE = 0.5;

/** What is wrong with a replica's replication, each a fact of this one check. */
function replicationFaults(observation: Observation): string[] {
  const reasons: string[] = [];
  const status = observation.replication;
  if (observation.errant) reasons.push(`errant transactions: the replica has ${observation.errant} that the primary lacks`);
  if (status === undefined) return [...reasons, 'replication is not configured'];
  if (isPurgedGap(status)) {
    reasons.push(`purged: the primary no longer has binlogs this replica needs (error 1236: ${status.lastIoError})`);
  } else if (status.lastIoErrno !== 0) {
    reasons.push(`replication IO error ${status.lastIoErrno}: ${status.lastIoError}`);
  }
  if (status.lastSqlErrno !== 0) reasons.push(`replication SQL error ${status.lastSqlErrno}: ${status.lastSqlError}`);
  if (!status.ioRunning) reasons.push(`the IO thread is not running (${status.ioState || 'No'})`);
  if (!status.sqlRunning) reasons.push('the SQL thread is not running');
  return reasons;
}

function notReady(reason: string): Assessment {
  return { ready: false, reasons: [reason], certain: true };
}

/**
 * Acts at once on a certain verdict (a stopped thread, an errant transaction,
 * a server that does not answer, a replica caught up), and flips on an
 * uncertain one (a lag near the threshold) only after `checks` consecutive
 * checks agree, so a lag that hovers around the threshold does not take a
 * replica in and out of the read Service every second.
 */
export class Hysteresis {
  #ready = false;
  #streak = 0;
  #reasons: readonly string[] = ['not checked yet'];

  constructor(private readonly checks: number) {}

  update(assessment: Assessment): Verdict {
    if (assessment.ready === this.#ready) {
      this.#streak = 0;
      this.#reasons = assessment.reasons;
    } else if (assessment.certain || ++this.#streak >= this.checks) {
      this.#ready = assessment.ready;
      this.#streak = 0;
      this.#reasons = assessment.reasons;
    } else if (!assessment.ready) {
      this.#reasons = assessment.reasons;
    }
    return { ready: this.#ready, reasons: this.#ready ? [] : this.#reasons };
  }
}
