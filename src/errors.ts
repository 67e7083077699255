/**
 * One catalogue of failures. Every error the agent reports carries a code that
 * maps to a process exit code (so `kubectl describe pod` tells which stage of an
 * init container failed) and a message that says what failed and what to do.
 * `main.ts` is the only place that turns these into exit codes.
 */

export const ExitCode = {
  ok: 0,
  internal: 1,
  usage: 2,
  config: 3,
  discovery: 4,
  clone: 5,
  prepare: 6,
  server: 7,
  /** Stopped by SIGTERM or SIGINT before it finished (ARCHITECTURE.md, "Exit codes"). */
  interrupted: 8,
} as const;

export type ExitCodeName = keyof typeof ExitCode;

/**
 * Why a clone failed when another try cannot help: this pod's volume (too
 * small, full, read-only, denied, failing) or a donor refusing our credentials.
 * `clone/failure.ts` decides what each one means for retrying.
 */
export type Fault = 'volume-too-small' | 'no-space' | 'read-only' | 'permission' | 'io' | 'unauthorized';

export class AgentError extends Error {
  readonly stage: ExitCodeName;
  readonly fault: Fault | undefined;

  constructor(stage: ExitCodeName, message: string, options?: { cause?: unknown; fault?: Fault | undefined }) {
    super(message, options);
    this.name = 'AgentError';
    this.stage = stage;
    this.fault = options?.fault;
  }

  get exitCode(): number {
    return ExitCode[this.stage];
  }
}

/** Bad command line: usage goes with it. */
export class UsageError extends AgentError {
  constructor(message: string) {
    super('usage', message);
    this.name = 'UsageError';
  }
}

/** One or more bad settings; `problems` lists each one so all are reported at once. */
export class ConfigError extends AgentError {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super('config', `invalid configuration: ${problems.join('; ')}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export class DiscoveryError extends AgentError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('discovery', message, options);
    this.name = 'DiscoveryError';
  }
}

/**
 * Init was told to stop (the kubelet's SIGTERM when the pod is deleted, a
 * human's SIGINT). It is the reason of init's AbortSignal, so whatever a
 * cancelled wait throws, the stop is what gets reported.
 */
export class InterruptedError extends AgentError {
  readonly signal: NodeJS.Signals;

  constructor(signal: NodeJS.Signals) {
    super('interrupted', `stopped by ${signal} before init finished; the data dir holds no partial clone`);
    this.name = 'InterruptedError';
    this.signal = signal;
  }
}

/** The exit code for anything thrown; unknown errors are internal. */
export function exitCodeOf(error: unknown): number {
  return error instanceof AgentError ? error.exitCode : ExitCode.internal;
}

/** A single line: init containers print exactly one line that says what to fix. */
export function oneLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

/** The system error code of a failed file or socket call (ENOENT, EACCES…), for messages that say what to fix. */
export function systemErrorCode(error: unknown): string {
  return (error as NodeJS.ErrnoException | undefined)?.code ?? 'error';
}

/** The last non-empty line a tool printed: where command-line tools put the reason they failed. */
export function lastLine(text: string): string {
  // Control characters (mbstream rings a BEL before each error) have no place in a one-line message.
  return text.trim().split('\n').at(-1)?.replace(/\p{Cc}/gu, '').trim() || 'no message';
}
