import { describe, expect, it } from 'vitest';
import { nextCheckInMs, type CadenceInput } from '../../../src/replication/check-cadence.js';

const START = 1_800_000_000_000;
const steady: CadenceInput = { intervalMs: 1_000, justCloned: false, clonePhase: undefined, serverAnswered: true, ready: true, actedAt: 0, startedAt: START, now: START + 120_000 };

describe('the loop’s check cadence', () => {
  it('checks once per interval on a steady pod', () => {
    expect(nextCheckInMs(steady)).toBe(1_000);
    expect(nextCheckInMs({ ...steady, intervalMs: 2_500 })).toBe(2_500);
  });

  it('looks every 200 ms for a server that has not answered since the sidecar started, for the first minute', () => {
    // The kubelet starts the server and the sidecar together: the server's first answer is what Ready waits for.
    const waiting = { ...steady, serverAnswered: false, ready: false };
    expect(nextCheckInMs({ ...waiting, now: START + 500 })).toBe(200);
    expect(nextCheckInMs({ ...waiting, now: START + 59_999 })).toBe(200);
    // Still down after a minute: recovering or broken, a check per interval is enough.
    expect(nextCheckInMs({ ...waiting, now: START + 60_000 })).toBe(1_000);
    // A server that answered once and then went away is a restart, not a start: the interval.
    expect(nextCheckInMs({ ...steady, ready: false, now: START + 5_000 })).toBe(1_000);
  });

  it('checks at once after a CLONE-plugin clone was recorded, and every 200 ms while the server comes up for one', () => {
    expect(nextCheckInMs({ ...steady, justCloned: true })).toBe(0);
    expect(nextCheckInMs({ ...steady, clonePhase: 'starting' })).toBe(200);
    expect(nextCheckInMs({ ...steady, clonePhase: 'restarting' })).toBe(200);
    expect(nextCheckInMs({ ...steady, clonePhase: 'cloning' })).toBe(1_000);
  });

  it('looks every 200 ms for 3 s after replication was started or re-pointed, while the replica is not Ready', () => {
    const acted = { ...steady, ready: false, actedAt: steady.now - 2_999 };
    expect(nextCheckInMs(acted)).toBe(200);
    expect(nextCheckInMs({ ...acted, actedAt: steady.now - 3_000 })).toBe(1_000);
    expect(nextCheckInMs({ ...acted, ready: true })).toBe(1_000);
  });
});
