import { describe, expect, it } from 'vitest';
import { agentLiveness, podHealth, STALE_AFTER_MS, type LoopProgress } from '../../../src/health/liveness.js';

const startedAt = new Date('2026-11-21T08:00:00Z');
const at = (ms: number): Date => new Date(startedAt.getTime() + ms);

function progress(overrides: Partial<LoopProgress>): LoopProgress {
  return { checkedAt: at(0), startedAt, serverUp: true, serverError: undefined, ...overrides };
}

describe('liveness', () => {
  it('keeps the agent alive while checks complete, even when the server is down', () => {
    const down = progress({ serverUp: false, serverError: 'connect ECONNREFUSED 127.0.0.1:3306' });
    expect(agentLiveness(down, at(STALE_AFTER_MS))).toEqual({ ok: true, reasons: [] });
    expect(podHealth(down, at(1000))).toEqual({ ok: false, reasons: ['the server does not answer: connect ECONNREFUSED 127.0.0.1:3306'] });
  });

  it('fails both scopes once the loop has not completed a check for longer than the stale limit', () => {
    const stuck = progress({ checkedAt: at(0) });
    const reason = "the agent's loop has not completed a check for 11 s";
    expect(agentLiveness(stuck, at(STALE_AFTER_MS + 1000))).toEqual({ ok: false, reasons: [reason] });
    expect(podHealth(stuck, at(STALE_AFTER_MS + 1000))).toEqual({ ok: false, reasons: [reason] });
  });

  it('counts from the start before the first check, and does not blame the server before it was asked', () => {
    const fresh = progress({ checkedAt: undefined, serverUp: false });
    expect(podHealth(fresh, at(2000))).toEqual({ ok: true, reasons: [] });
    expect(agentLiveness(fresh, at(STALE_AFTER_MS + 2000)).ok).toBe(false);
  });
});
