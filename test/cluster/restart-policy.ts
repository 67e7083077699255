import { GiveUp, waitFor } from './wait.js';

/**
 * restartPolicy: Always for one container, as the kubelet applies it: a
 * container that exits on its own is started again after a back-off that
 * grows while it keeps exiting soon after its start (CrashLoopBackOff, here in
 * seconds rather than minutes), and the restarts are counted like RESTARTS in
 * `kubectl get pods`.
 */

/** Delays before the 1st, 2nd, 3rd… restart in a row of quick exits; the last one repeats. */
const BACKOFF_MS = [500, 2_000, 5_000, 10_000];
/** A container that ran this long before exiting starts its back-off afresh. */
const RESET_AFTER_MS = 60_000;

type Outcome = { ok: true } | { ok: false; error: Error };

export class RestartPolicy {
  /** Restarts so far (scheduled ones are counted when they begin). */
  count = 0;
  private timer: NodeJS.Timeout | undefined;
  private inFlight: Promise<void> | undefined;
  private lastOutcome: Outcome | undefined;
  private quickExits = 0;
  private spawnedAt = 0;
  private closed = false;

  constructor(
    private readonly name: string,
    private readonly restart: (reason: string) => Promise<void>,
  ) {}

  /** The container's process has just been started (by a restart or by a test). */
  spawned(): void {
    this.spawnedAt = Date.now();
  }

  /** The container exited on its own: start it again after the back-off. */
  schedule(reason: string): void {
    if (this.closed) return;
    this.cancelPending();
    // This exit is the first of a new row when the container had been running long enough.
    this.quickExits = (Date.now() - this.spawnedAt >= RESET_AFTER_MS ? 0 : this.quickExits) + 1;
    const delayMs = BACKOFF_MS[Math.min(this.quickExits, BACKOFF_MS.length) - 1] ?? 0;
    this.timer = setTimeout(() => this.begin(reason), delayMs);
    // A pending restart must not keep a finished test process alive.
    this.timer.unref();
  }

  private begin(reason: string): void {
    this.timer = undefined;
    this.count += 1;
    this.inFlight = this.restart(reason).then(
      () => {
        this.lastOutcome = { ok: true };
      },
      (error: unknown) => {
        this.lastOutcome = { ok: false, error: error instanceof Error ? error : new Error(String(error)) };
      },
    );
    void this.inFlight.finally(() => {
      this.inFlight = undefined;
    });
  }

  /** A start or stop by the harness itself supersedes a restart that has not begun. */
  cancelPending(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** The pod is gone: nothing is started again. */
  close(): void {
    this.closed = true;
    this.cancelPending();
  }

  /** Throws once the pod is gone, so a restart already under way spawns nothing. */
  assertOpen(): void {
    if (this.closed) throw new Error(`failed to start a container of ${this.name}: the pod was deleted`);
  }

  /** Resolves once `count` restarts have begun and none is pending or under way, the last one successful. */
  async waitFor(count: number, timeoutMs: number, details: () => string): Promise<void> {
    await waitFor(
      async () => {
        if (this.count < count || this.timer !== undefined || this.inFlight !== undefined) return undefined;
        const outcome = this.lastOutcome;
        if (outcome?.ok === false) throw new GiveUp(new Error(`restart ${this.count} of ${this.name}'s server failed: ${outcome.error.message}\n${details()}`));
        return true;
      },
      { what: `${this.name}'s server to be restarted ${count} times (restarted ${this.count} when the wait began)`, timeoutMs, intervalMs: 50 },
    );
  }
}
