import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RestartPolicy } from '../../cluster/restart-policy.js';

/** The harness's restartPolicy: Always, with fake timers (the back-off is what is checked). */
describe('RestartPolicy', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  function policyWith(outcomes: (() => Promise<void>)[] = []): { policy: RestartPolicy; reasons: string[] } {
    const reasons: string[] = [];
    const policy = new RestartPolicy('mysql-1', (reason) => {
      reasons.push(reason);
      return (outcomes.shift() ?? (() => Promise.resolve()))();
    });
    return { policy, reasons };
  }

  it('restarts a container that exited on its own after half a second, and counts it', async () => {
    const { policy, reasons } = policyWith();
    policy.spawned();
    policy.schedule('mysqld exited on its own (exit code 0)');
    await vi.advanceTimersByTimeAsync(499);
    expect(policy.count).toBe(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(policy.count).toBe(1);
    expect(reasons).toEqual(['mysqld exited on its own (exit code 0)']);
  });

  it('backs off while the container keeps exiting soon after its start, and afresh after a long run', async () => {
    const { policy } = policyWith();
    const delays: number[] = [];
    for (let i = 0; i < 5; i++) {
      policy.spawned();
      const before = policy.count;
      const started = Date.now();
      policy.schedule('exit');
      while (policy.count === before) await vi.advanceTimersByTimeAsync(100);
      delays.push(Date.now() - started);
    }
    expect(delays).toEqual([500, 2_000, 5_000, 10_000, 10_000]);
    policy.spawned();
    await vi.advanceTimersByTimeAsync(60_000);
    const started = Date.now();
    policy.schedule('exit after a long run');
    while (policy.count === 5) await vi.advanceTimersByTimeAsync(100);
    expect(Date.now() - started).toBe(500);
  });

  it('never restarts what the harness itself stopped or a pod that is gone', async () => {
    const { policy } = policyWith();
    policy.schedule('exit');
    policy.cancelPending();
    policy.schedule('exit');
    policy.close();
    policy.schedule('exit');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(policy.count).toBe(0);
    expect(() => policy.assertOpen()).toThrow(/mysql-1: the pod was deleted/);
  });

  it('waits for the restarts to be done, and says why the last one failed', async () => {
    const { policy } = policyWith([() => Promise.resolve(), () => Promise.reject(new Error('mysqld exited during its start'))]);
    policy.schedule('exit');
    const first = policy.waitFor(1, 5_000, () => 'log tail');
    await vi.advanceTimersByTimeAsync(600);
    await expect(first).resolves.toBeUndefined();

    policy.schedule('exit');
    const second = expect(policy.waitFor(2, 5_000, () => 'last lines of mysqld.err')).rejects.toThrow(
      /restart 2 of mysql-1's server failed: mysqld exited during its start\nlast lines of mysqld.err/,
    );
    await vi.advanceTimersByTimeAsync(2_100);
    await second;
  });
});
