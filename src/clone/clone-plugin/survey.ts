import type { DonorSearch } from '../find-donors.js';

/**
 * How old a donor survey may be when CLONE INSTANCE is issued from it. A
 * survey is a snapshot of the peers' Ready and GTID progress, which change on
 * the scale of the peers' one-second checks and READY_CHECKS; two seconds
 * keeps the choice as current as a survey made on the spot, while a survey
 * made ahead spares the clone DNS and the peers' /status round trips (and
 * loading fetch) on the check that finds the server up.
 */
export const SURVEY_MAX_AGE_MS = 2_000;

/** Whether a survey started at `startedAtMs` may still choose the donor at `nowMs` (a clock that went back makes it stale). */
export function surveyIsFresh(startedAtMs: number, nowMs: number, maxAgeMs: number = SURVEY_MAX_AGE_MS): boolean {
  const age = nowMs - startedAtMs;
  return age >= 0 && age <= maxAgeMs;
}

/**
 * The donor survey (findDonors) made ahead of the clone: while the empty
 * server comes up and while the check that finds it reads its state, so that
 * CLONE INSTANCE follows that check at once (ARCHITECTURE.md, "The
 * CLONE-plugin clone"). An attempt takes a fresh survey or makes its own; a
 * survey is used by one attempt only.
 */
export class DonorSurvey {
  readonly #find: () => Promise<DonorSearch>;
  readonly #now: () => number;
  #ahead: { readonly startedAtMs: number; readonly search: Promise<DonorSearch> } | undefined;

  constructor(find: () => Promise<DonorSearch>, now: () => number = Date.now) {
    this.#find = find;
    this.#now = now;
  }

  /** Starts a survey unless a fresh one is done or under way. */
  ahead(): void {
    if (this.#fresh() !== undefined) return;
    const startedAtMs = this.#now();
    const search = this.#find();
    // A failure surfaces in the attempt that takes this survey; a stale one nobody takes must not crash the process.
    search.catch(() => undefined);
    this.#ahead = { startedAtMs, search };
  }

  /** The fresh survey made ahead, else a new one. */
  take(): Promise<DonorSearch> {
    const fresh = this.#fresh();
    this.#ahead = undefined;
    return fresh ?? this.#find();
  }

  #fresh(): Promise<DonorSearch> | undefined {
    const ahead = this.#ahead;
    return ahead !== undefined && surveyIsFresh(ahead.startedAtMs, this.#now()) ? ahead.search : undefined;
  }
}
