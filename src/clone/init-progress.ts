/**
 * What init is doing, for its status server (ARCHITECTURE.md, "Init answers
 * peers"): peers read the data dir from the same document, humans the phase
 * and the clone's progress (`curl :8080/status` before the sidecar exists).
 */
export type InitPhase = 'starting' | 'deciding' | 'waiting-for-donor' | 'cloning' | 'preparing' | 'committing' | 'done';

export interface InitCloneProgress {
  readonly donor: string;
  readonly bytes: number;
  /** The donor's estimate; null when it gave none. */
  readonly expectedBytes: number | null;
  readonly startedAt: string;
}

export interface InitProgress {
  readonly phase: InitPhase;
  /** The init decision's last reason (why it waits, whom it clones from). */
  readonly reason: string | null;
  /** The clone in flight, null outside a clone. */
  readonly clone: InitCloneProgress | null;
  readonly since: string;
}

/** Init's phase, kept in memory and replaced whole on every change (the status server reads it as it is). */
export class InitTracker {
  #current: InitProgress = { phase: 'starting', reason: null, clone: null, since: new Date().toISOString() };

  get current(): InitProgress {
    return this.#current;
  }

  enter(phase: InitPhase, reason?: string): void {
    const clone = phase === 'preparing' || phase === 'committing' ? this.#current.clone : null;
    this.#current = { phase, reason: reason ?? this.#current.reason, clone, since: new Date().toISOString() };
  }

  cloning(donor: string, progress: { bytes: number; expectedBytes: number | undefined }): void {
    const startedAt = this.#current.clone?.donor === donor ? this.#current.clone.startedAt : new Date().toISOString();
    const clone = { donor, bytes: progress.bytes, expectedBytes: progress.expectedBytes ?? null, startedAt };
    const since = this.#current.phase === 'cloning' ? this.#current.since : new Date().toISOString();
    this.#current = { ...this.#current, phase: 'cloning', clone, since };
  }
}
