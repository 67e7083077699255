import { setTimeout as sleep } from 'node:timers/promises';

export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

/**
 * "Full jitter" exponential backoff: a uniform delay in [0, min(max, base·2^n)).
 * Jitter keeps the pods of a set, all restarted at once, from retrying in lockstep.
 */
export function backoffDelay(attempt: number, policy: BackoffPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt));
  return Math.floor(random() * ceiling);
}

/**
 * Waits `ms`, or until `signal` aborts: then it rejects with the signal's
 * reason (node's own sleep rejects with a generic AbortError instead), so a
 * stopped wait reports why it was stopped.
 */
export async function pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
  try {
    await sleep(ms, undefined, { signal });
  } catch (error) {
    signal?.throwIfAborted();
    throw error;
  }
}

export interface RetryOptions extends BackoffPolicy {
  /** Wall-clock time (ms since epoch) after which no new try starts. */
  readonly deadline: number;
  /** Ends the loop at once, with the signal's reason, whatever the task was doing. */
  readonly signal?: AbortSignal | undefined;
  /** Errors for which another try cannot help end the loop at once. */
  readonly isRetryable?: (error: unknown) => boolean;
  readonly onRetry?: (info: { attempt: number; delayMs: number; error: unknown }) => void;
  readonly now?: () => number;
  readonly random?: () => number;
}

/**
 * Runs `task` until it succeeds, fails with a final error, or the deadline
 * passes (the last error is thrown). An aborted signal wins over the error
 * it made the task throw.
 */
export async function retryUntil<T>(task: (attempt: number) => Promise<T>, options: RetryOptions): Promise<T> {
  const now = options.now ?? Date.now;
  for (let attempt = 0; ; attempt += 1) {
    options.signal?.throwIfAborted();
    try {
      return await task(attempt);
    } catch (error) {
      options.signal?.throwIfAborted();
      if (options.isRetryable && !options.isRetryable(error)) throw error;
      const remaining = options.deadline - now();
      if (remaining <= 0) throw error;
      const delayMs = Math.min(remaining, backoffDelay(attempt, options, options.random));
      options.onRetry?.({ attempt, delayMs, error });
      await pause(delayMs, options.signal);
    }
  }
}
