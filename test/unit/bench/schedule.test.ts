import { describe, expect, it } from 'vitest';
import type { Method, MethodKey } from '../../bench/method.js';
import { runRounds } from '../../bench/schedule.js';

/**
 * The clone section's rounds: the smoke test runs one round, so the rotation
 * and the reset before every run of later rounds are checked here.
 */

function fakeMethod(key: MethodKey, calls: string[]): Method {
  return {
    key,
    label: key,
    resultDir: `/nonexistent/${key}`,
    reset: () => {
      calls.push(`reset ${key}`);
      return Promise.resolve();
    },
    run: () => {
      calls.push(`run ${key}`);
      return Promise.resolve({ seconds: calls.length, streamSeconds: 0, prepareSeconds: 0, otherSeconds: 0 });
    },
  };
}

describe('runRounds', () => {
  it('rotates the order each round, resets before every run and checks after it', async () => {
    const calls: string[] = [];
    const methods = (['agent', 'raw', 'relay'] as const).map((key) => fakeMethod(key, calls));
    const results = await runRounds({
      methods,
      rounds: 4,
      check: (method) => {
        calls.push(`check ${method.key}`);
        return Promise.resolve();
      },
      say: () => undefined,
    });
    const runs = calls.filter((call) => call.startsWith('run ')).map((call) => call.slice(4));
    expect(runs).toEqual(['agent', 'raw', 'relay', 'raw', 'relay', 'agent', 'relay', 'agent', 'raw', 'agent', 'raw', 'relay']);
    for (let i = 0; i < calls.length; i += 3) {
      const key = calls[i + 1]?.slice(4);
      expect(calls.slice(i, i + 3)).toEqual([`reset ${key}`, `run ${key}`, `check ${key}`]);
    }
    expect(results.map((result) => [result.key, result.runs.map((run) => run.round)])).toEqual([
      ['agent', [1, 2, 3, 4]],
      ['raw', [1, 2, 3, 4]],
      ['relay', [1, 2, 3, 4]],
    ]);
  });
});
