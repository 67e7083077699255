/** Uptime is in whole seconds, and two reads of the same server's boot time differ by up to a second. */
const BOOT_TOLERANCE_MS = 2_500;

/**
 * Tells the loop whether a new connection reaches a server that (re)started:
 * replication it finds stopped is then skip-replica-start's doing, not an
 * operator's. A boot time (the server's clock minus Uptime, which rounds it
 * up by less than a second) after the last answer of the previous server is a
 * restart however soon it came; one that moved by more than the tolerance is
 * one too (a restart the loop never saw between two answers).
 */
export class ServerRestarts {
  #bootedAt: number | undefined;
  #answeredAt: number | undefined;

  /** The loop's check got an answer from the server. */
  answered(now = Date.now()): void {
    this.#answeredAt = now;
  }

  /** True when the server a new connection reached, booted at `bootedAt`, is not the one the loop last saw. */
  isNewBoot(bootedAt: number): boolean {
    const previous = this.#bootedAt;
    this.#bootedAt = bootedAt;
    if (previous === undefined) return true;
    if (this.#answeredAt !== undefined && bootedAt > this.#answeredAt) return true;
    return Math.abs(bootedAt - previous) > BOOT_TOLERANCE_MS;
  }
}
