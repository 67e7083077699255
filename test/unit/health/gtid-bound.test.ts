import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { boundFromSnapshots, combineLag, HEARTBEAT_STALE_MARGIN_SECONDS, type GtidSnapshot } from '../../../src/health/gtid-bound.js';
import type { Lag } from '../../../src/health/lag.js';

const UUID = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const FRESH_MS = 3000;

function bound(snapshots: GtidSnapshot[], applied: string, now: number, lastAnswerAt: number | undefined = now - 100) {
  return boundFromSnapshots({ flavor: 'mariadb', snapshots, applied, now, lastAnswerAt, lastError: undefined, freshMs: FRESH_MS });
}

describe('boundFromSnapshots', () => {
  const snapshots = [
    { sentAt: 1000, receivedAt: 1010, gtid: '0-100-5' },
    { sentAt: 2000, receivedAt: 2010, gtid: '0-100-9' },
    { sentAt: 3000, receivedAt: 3500, gtid: '0-100-12' },
  ];

  it('the newest applied snapshot bounds the lag: now minus the instant its query was sent', () => {
    expect(bound(snapshots, '0-100-12', 3600)).toEqual({ known: true, seconds: 0.6 });
    expect(bound(snapshots, '0-100-11', 3600)).toEqual({ known: true, seconds: 1.6 });
    expect(bound(snapshots, '0-100-5', 3600)).toEqual({ known: true, seconds: 2.6 });
  });

  it('none applied: unknown, with the age of the oldest kept as the least it is behind', () => {
    expect(bound(snapshots, '0-100-4', 4000)).toEqual({
      known: false,
      reason: "this replica has not applied the source's GTID position of 3.0 s ago (the oldest kept): at least that far behind, or it lacks transactions the source has",
    });
    expect(bound([], '0-100-4', 4000)).toEqual({ known: false, reason: 'no GTID snapshot of the source yet' });
  });

  it('a source that has not answered for longer than freshMs gives no bound, with the error', () => {
    expect(boundFromSnapshots({ flavor: 'mariadb', snapshots, applied: '0-100-12', now: 7000, lastAnswerAt: 3500, lastError: 'connect ETIMEDOUT', freshMs: FRESH_MS })).toEqual({
      known: false,
      reason: "the source's GTID position could not be read for 3.5 s: connect ETIMEDOUT",
    });
    expect(boundFromSnapshots({ flavor: 'mariadb', snapshots: [], applied: '', now: 100, lastAnswerAt: undefined, lastError: undefined, freshMs: FRESH_MS })).toEqual({ known: false, reason: "the source's GTID position could not be read" });
  });
});

describe('combineLag', () => {
  const heartbeat = (seconds: number): Lag => ({ known: true, seconds, method: 'heartbeat' });

  it('keeps a working heartbeat; takes the bound where the heartbeat is stale by more than the margin', () => {
    expect(combineLag(heartbeat(1.2), { known: true, seconds: 0.8 })).toEqual(heartbeat(1.2));
    expect(combineLag(heartbeat(0.8 + HEARTBEAT_STALE_MARGIN_SECONDS), { known: true, seconds: 0.8 })).toEqual(heartbeat(2.3));
    const stale = combineLag(heartbeat(14.2), { known: true, seconds: 1.1 });
    expect(stale).toMatchObject({ known: true, seconds: 1.1, method: 'gtid-snapshot' });
    expect(stale.known && stale.note).toMatch(/the heartbeat reads 14\.2 s: its writer \(the primary's sidecar\) has stopped or lags$/);
  });

  it('an unknown heartbeat: the bound, with the heartbeat\'s reason in the note; both unknown: both reasons', () => {
    const missing = combineLag({ known: false, reason: 'no heartbeat row' }, { known: true, seconds: 6.5 });
    expect(missing).toMatchObject({ known: true, seconds: 6.5, method: 'gtid-snapshot' });
    expect(missing.known && missing.note).toMatch(/the heartbeat cannot measure: no heartbeat row$/);
    expect(combineLag({ known: false, reason: 'no heartbeat row' }, { known: false, reason: 'source down' })).toEqual({
      known: false,
      reason: 'no heartbeat row; and no GTID bound: source down',
    });
    expect(combineLag(heartbeat(3), { known: false, reason: 'source down' })).toEqual(heartbeat(3));
  });
});

/**
 * The model: the source commits transaction i (GTID uuid:i) at commit[i]; the
 * replica applies it at apply[i] >= commit[i] (in any order: a multi-threaded
 * applier). The sidecar sends a snapshot query at sent[j]; the source reads
 * its set at some instant within the round trip. At a check the replica's
 * applied set is read at tRead, then now >= tRead. The true lag at tRead is
 * tRead minus the commit time of the oldest transaction committed by then and
 * not applied. The bound must never be below it, and neither may combineLag's
 * figure whenever the heartbeat's is not (or the heartbeat is unknown).
 */
describe('the GTID snapshot bound is never below the true lag (model)', () => {
  const scenario = fc
    .record({
      gaps: fc.array(fc.integer({ min: 0, max: 2000 }), { minLength: 1, maxLength: 25 }),
      delays: fc.array(fc.integer({ min: 0, max: 20_000 }), { minLength: 25, maxLength: 25 }),
      sends: fc.array(fc.integer({ min: 0, max: 40_000 }), { minLength: 1, maxLength: 12 }),
      rtts: fc.array(fc.integer({ min: 0, max: 4000 }), { minLength: 12, maxLength: 12 }),
      readShare: fc.double({ min: 0, max: 1, noNaN: true }),
      tRead: fc.integer({ min: 0, max: 60_000 }),
      after: fc.integer({ min: 0, max: 3000 }),
      heartbeatExcess: fc.option(fc.double({ min: 0, max: 30, noNaN: true })),
    });

  it('holds for every schedule', () => {
    fc.assert(
      fc.property(scenario, (s) => {
        let t = 0;
        const commit = s.gaps.map((gap) => (t += gap));
        const apply = commit.map((c, i) => c + (s.delays[i] ?? 0));
        const setAt = (instant: number) => commit.flatMap((c, i) => (c <= instant ? [i + 1] : []));
        const text = (ids: number[]) => (ids.length === 0 ? '' : `${UUID}:${ids.join(':')}`);
        const snapshots = [...s.sends]
          .sort((a, b) => a - b)
          .map((sentAt, j) => {
            const rtt = s.rtts[j] ?? 0;
            return { sentAt, receivedAt: sentAt + rtt, gtid: text(setAt(sentAt + rtt * s.readShare)) };
          })
          .filter((snapshot) => snapshot.receivedAt <= s.tRead);
        const applied = text(commit.flatMap((_c, i) => ((apply[i] ?? 0) <= s.tRead ? [i + 1] : [])));
        const now = s.tRead + s.after;
        const result = boundFromSnapshots({ flavor: 'mysql', snapshots, applied, now, lastAnswerAt: now, lastError: undefined, freshMs: FRESH_MS });
        const missing = commit.filter((c, i) => c <= s.tRead && (apply[i] ?? 0) > s.tRead);
        const trueLag = missing.length === 0 ? 0 : (s.tRead - Math.min(...missing)) / 1000;
        if (result.known) expect(result.seconds).toBeGreaterThanOrEqual(trueLag);
        const heartbeat: Lag = s.heartbeatExcess === null ? { known: false, reason: 'none' } : { known: true, seconds: trueLag + s.heartbeatExcess, method: 'heartbeat' };
        const combined = combineLag(heartbeat, result);
        if (combined.known) expect(combined.seconds).toBeGreaterThanOrEqual(trueLag);
      }),
      { numRuns: 2000 },
    );
  });
});
