/**
 * When and why the demo ends: a signal (Ctrl-C, SIGTERM) or the --duration.
 * A second Ctrl-C skips the wait for the summary; any later one only gets a
 * "please wait", because teardown must finish or it leaves namespaces behind.
 */

/** npm, the shell and tsx each pass the terminal's Ctrl-C on: copies this close together are one press. */
const SAME_PRESS_MS = 500;

export type StopReason = 'signal' | 'duration' | 'failure';

export class StopSignal {
  /** Resolves with the first reason to stop. */
  readonly stopped: Promise<StopReason>;
  /** Resolves on a second, separate Ctrl-C/SIGTERM: hurry. */
  readonly hurried: Promise<void>;
  private resolveStop: (reason: StopReason) => void = () => undefined;
  private resolveHurry: () => void = () => undefined;
  private lastPressAt: number | undefined;
  private isStopping = false;
  private isHurried = false;
  private timer: NodeJS.Timeout | undefined;
  private parentWatch: NodeJS.Timeout | undefined;
  private readonly onSignal = (): void => this.signal(Date.now());

  constructor(private readonly say: (line: string) => void) {
    this.stopped = new Promise((resolve) => (this.resolveStop = resolve));
    this.hurried = new Promise((resolve) => (this.resolveHurry = resolve));
  }

  install(): void {
    process.on('SIGINT', this.onSignal);
    process.on('SIGTERM', this.onSignal);
  }

  /**
   * The launcher (cli.ts) relays signals; if it is gone (killed), nobody
   * would ever stop this demo: that counts as a signal.
   */
  watchParent(): void {
    const parent = process.ppid;
    this.parentWatch = setInterval(() => {
      if (process.ppid === parent) return;
      clearInterval(this.parentWatch);
      this.stop('signal');
    }, 1_000);
    this.parentWatch.unref();
  }

  uninstall(): void {
    if (this.parentWatch !== undefined) clearInterval(this.parentWatch);
    process.off('SIGINT', this.onSignal);
    process.off('SIGTERM', this.onSignal);
    if (this.timer !== undefined) clearTimeout(this.timer);
  }

  /** Handles one signal received at `now` (ms); public for the unit test. */
  signal(now: number): void {
    if (this.lastPressAt !== undefined && now - this.lastPressAt < SAME_PRESS_MS) return;
    this.lastPressAt = now;
    if (!this.isStopping) {
      this.stop('signal');
    } else if (!this.isHurried) {
      this.isHurried = true;
      this.say('interrupted again: skipping the summary, tearing down now (teardown itself cannot be skipped: it removes the namespaces)');
      this.resolveHurry();
    } else {
      this.say('still tearing down; please wait');
    }
  }

  /** From now on there is nothing left to skip: later presses only get a "please wait". */
  tearingDown(): void {
    this.isHurried = true;
  }

  /** Stop by itself after `seconds`. */
  after(seconds: number): void {
    this.timer = setTimeout(() => this.stop('duration'), seconds * 1000);
  }

  stop(reason: StopReason): void {
    if (this.isStopping) return;
    this.isStopping = true;
    this.resolveStop(reason);
  }
}
