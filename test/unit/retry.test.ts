import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, pause, retryUntil } from '../../src/retry.js';

describe('backoffDelay', () => {
  it('stays within [0, min(max, base·2^attempt))', () => {
    fc.assert(
      fc.property(fc.nat({ max: 60 }), fc.double({ min: 0, max: 0.999999, noNaN: true }), (attempt, r) => {
        const delay = backoffDelay(attempt, { baseMs: 100, maxMs: 5_000 }, () => r);
        expect(delay).toBeGreaterThanOrEqual(0);
        expect(delay).toBeLessThan(Math.min(5_000, 100 * 2 ** attempt));
      }),
    );
  });

  it('doubles the ceiling each attempt until the cap', () => {
    const top = (attempt: number) => backoffDelay(attempt, { baseMs: 100, maxMs: 1_000 }, () => 0.999999);
    expect([0, 1, 2, 3, 4, 10].map(top)).toEqual([99, 199, 399, 799, 999, 999]);
  });
});

describe('retryUntil', () => {
  const fast = { baseMs: 1, maxMs: 2 };

  it('retries until the task succeeds', async () => {
    let calls = 0;
    const result = await retryUntil(
      async () => {
        calls += 1;
        if (calls < 4) throw new Error(`try ${calls}`);
        return 'done';
      },
      { ...fast, deadline: Date.now() + 10_000 },
    );
    expect(result).toBe('done');
    expect(calls).toBe(4);
  });

  it('throws the last error once the deadline has passed', async () => {
    let now = 0;
    let calls = 0;
    await expect(
      retryUntil(
        async () => {
          calls += 1;
          now += 1_000;
          throw new Error(`try ${calls}`);
        },
        { ...fast, deadline: 2_500, now: () => now },
      ),
    ).rejects.toThrow('try 3');
    expect(calls).toBe(3);
  });

  it('stops at once on an error that is not retryable', async () => {
    let calls = 0;
    const retries: number[] = [];
    await expect(
      retryUntil(
        async () => {
          calls += 1;
          throw new Error(calls === 1 ? 'transient' : 'final');
        },
        {
          ...fast,
          deadline: Date.now() + 10_000,
          isRetryable: (error) => (error as Error).message === 'transient',
          onRetry: ({ attempt }) => retries.push(attempt),
        },
      ),
    ).rejects.toThrow('final');
    expect(calls).toBe(2);
    expect(retries).toEqual([0]);
  });

  it('ends with the signal\'s reason, not the error the abort made the task throw, and tries no more', async () => {
    const controller = new AbortController();
    const stop = new Error('stopped by SIGTERM');
    let calls = 0;
    await expect(
      retryUntil(
        async () => {
          calls += 1;
          controller.abort(stop);
          throw new Error('the stream was cut');
        },
        { ...fast, deadline: Date.now() + 10_000, signal: controller.signal },
      ),
    ).rejects.toBe(stop);
    expect(calls).toBe(1);
  });

  it('ends a backoff wait at once with the signal\'s reason', async () => {
    const controller = new AbortController();
    const stop = new Error('stopped by SIGINT');
    const result = retryUntil(
      async () => {
        throw new Error('no donor yet');
      },
      {
        baseMs: 60_000,
        maxMs: 60_000,
        deadline: Date.now() + 600_000,
        signal: controller.signal,
        random: () => 0.99,
        // Aborted while the minute-long wait runs: only the signal can end it within the test's 2 s.
        onRetry: () => void setTimeout(() => controller.abort(stop), 20),
      },
    );
    await expect(result).rejects.toBe(stop);
  }, 2_000);

  it('does not start a task once the signal has aborted', async () => {
    const stop = new Error('stopped');
    let calls = 0;
    const task = async () => {
      calls += 1;
      return 'done';
    };
    await expect(retryUntil(task, { ...fast, deadline: Date.now() + 10_000, signal: AbortSignal.abort(stop) })).rejects.toBe(stop);
    expect(calls).toBe(0);
  });
});

describe('pause', () => {
  it('waits the time when nothing aborts', async () => {
    await expect(pause(1, new AbortController().signal)).resolves.toBeUndefined();
  });

  it('rejects with the signal\'s reason (node\'s own sleep gives a generic AbortError)', async () => {
    const controller = new AbortController();
    const stop = new Error('stopped by SIGTERM');
    const waiting = pause(60_000, controller.signal);
    controller.abort(stop);
    await expect(waiting).rejects.toBe(stop);
    await expect(pause(60_000, AbortSignal.abort(stop))).rejects.toBe(stop);
  });
});
