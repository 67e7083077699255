import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { backoffDelay, retryUntil } from '../../src/retry.js';

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
});
