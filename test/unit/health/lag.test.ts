import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { computeLag, FUTURE_TOLERANCE_MS, parseHeartbeatTs, primaryHeartbeat, SECONDS_BEHIND_NULL, SECONDS_BEHIND_SLACK_SECONDS } from '../../../src/health/lag.js';

const INTERVAL = 1000;
const NOW = Date.UTC(2026, 10, 21, 6, 0, 10, 0);
const TOKYO_MS = 9 * 3_600_000;

type Input = Parameters<typeof computeLag>[0];

/** Both threads running on an idle replica (Seconds_Behind 0) unless a test says otherwise. */
function lag(input: Partial<Input> & { heartbeatAt: number }) {
  return computeLag({ replicaNow: NOW, heartbeatIntervalMs: INTERVAL, ioRunning: true, sqlRunning: true, secondsBehind: 0, ...input });
}

/** The IO thread down: Seconds_Behind is NULL then. */
function ioDown(input: Partial<Input> & { heartbeatAt: number }) {
  return lag({ ioRunning: false, secondsBehind: null, ...input });
}

describe('computeLag: unknown is not zero', () => {
  it('a heartbeat older than 2 × interval with the IO thread down is unknown, and the reason names the age', () => {
    expect(ioDown({ heartbeatAt: NOW - 5000 })).toEqual({
      known: false,
      reason: 'the IO thread is down and the last heartbeat is 5.0 s old',
    });
    expect(ioDown({ heartbeatAt: NOW - 93_250, sqlRunning: false })).toEqual({
      known: false,
      reason: 'the IO thread is down and the last heartbeat is 93.3 s old',
    });
  });

  it('the stale limit scales with the interval', () => {
    expect(ioDown({ heartbeatAt: NOW - 5000, heartbeatIntervalMs: 3000 })).toEqual({ known: true, seconds: 5, method: 'heartbeat' });
    expect(ioDown({ heartbeatAt: NOW - 6001, heartbeatIntervalMs: 3000 })).toEqual({
      known: false,
      reason: 'the IO thread is down and the last heartbeat is 6.0 s old',
    });
  });

  it('the stale limit is strict: exactly 2 × interval is still known, 1 ms more is not', () => {
    expect(ioDown({ heartbeatAt: NOW - 2000 })).toEqual({ known: true, seconds: 2, method: 'heartbeat' });
    expect(ioDown({ heartbeatAt: NOW - 2001 })).toMatchObject({ known: false });
  });

  it('the strict limit holds for every interval in ms, with no floating-point rounding at the boundary', () => {
    const wrong: number[] = [];
    for (let interval = 1; interval <= 60_000; interval += 1) {
      const atLimit = ioDown({ heartbeatAt: NOW - 2 * interval, heartbeatIntervalMs: interval });
      const past = ioDown({ heartbeatAt: NOW - 2 * interval - 1, heartbeatIntervalMs: interval });
      if (!atLimit.known || past.known) wrong.push(interval);
    }
    expect({ count: wrong.length, first: wrong.slice(0, 5) }).toEqual({ count: 0, first: [] });
  });

  it('a fresh heartbeat with the IO thread down is still known (a primary restart, seconds ago)', () => {
    expect(ioDown({ heartbeatAt: NOW - 1500 })).toEqual({ known: true, seconds: 1.5, method: 'heartbeat' });
  });

  it('Seconds_Behind NULL with both threads running is unknown: the server itself cannot tell', () => {
    expect(lag({ heartbeatAt: NOW - 300, secondsBehind: null })).toEqual({ known: false, reason: SECONDS_BEHIND_NULL });
  });
});

describe('computeLag: a heartbeat in the future is a wrong measurement, not zero lag', () => {
  it("pt-heartbeat without --utc on an Asia/Tokyo primary, replica 20 s behind (MASTER_DELAY=20): unknown, and the reason says why", () => {
    // The tester's case: {"known": true, "seconds": 0} before, whatever the delay.
    const written = NOW - 20_000 + TOKYO_MS;
    for (const secondsBehind of [20, 0, null]) {
      expect(lag({ heartbeatAt: written, secondsBehind })).toEqual({
        known: false,
        reason: 'the heartbeat is 32380.0 s in the future: likely a writer not using UTC (pt-heartbeat needs --utc) or clock skew between primary and replica',
      });
    }
    expect(ioDown({ heartbeatAt: NOW + 32_400_200 })).toMatchObject({ known: false, reason: expect.stringMatching(/^the heartbeat is 32400\.2 s in the future: /) });
  });

  it('a primary clock a few seconds ahead is unknown too', () => {
    expect(lag({ heartbeatAt: NOW + 4_000 })).toMatchObject({ known: false, reason: expect.stringMatching(/^the heartbeat is 4\.0 s in the future: .*clock skew/) });
  });

  it(`jitter up to ${FUTURE_TOLERANCE_MS} ms ahead is 0 s (never -0); 1 ms more is unknown`, () => {
    for (const ahead of [1, 700, FUTURE_TOLERANCE_MS]) {
      const result = lag({ heartbeatAt: NOW + ahead });
      expect(result).toEqual({ known: true, seconds: 0, method: 'heartbeat' });
      expect(result.known && Object.is(result.seconds, -0)).toBe(false);
    }
    expect(lag({ heartbeatAt: NOW + FUTURE_TOLERANCE_MS + 1 })).toMatchObject({ known: false });
  });
});

describe('computeLag: cross-checked against Seconds_Behind while both threads run', () => {
  it('the heartbeat says 0.3 s, the server 20 s: the larger, named seconds-behind, with a note', () => {
    expect(lag({ heartbeatAt: NOW - 300, secondsBehind: 20 })).toEqual({
      known: true,
      seconds: 20,
      method: 'seconds-behind',
      note: "the server's Seconds_Behind 20 s is above the heartbeat's 0.3 s: the larger is reported (the primary's clock ahead of this replica's, a heartbeat writer not using UTC, or a long transaction)",
    });
  });

  it(`within Seconds_Behind's ${SECONDS_BEHIND_SLACK_SECONDS} s resolution it is still the heartbeat, raised to Seconds_Behind`, () => {
    expect(lag({ heartbeatAt: NOW - 300, secondsBehind: 1 })).toEqual({ known: true, seconds: 1, method: 'heartbeat' });
    expect(lag({ heartbeatAt: NOW - 300, secondsBehind: 2 })).toEqual({ known: true, seconds: 2, method: 'heartbeat' });
    expect(lag({ heartbeatAt: NOW - 300, secondsBehind: 3 })).toMatchObject({ known: true, seconds: 3, method: 'seconds-behind' });
  });

  it('a heartbeat older than Seconds_Behind is the heartbeat (Seconds_Behind is 0 when the IO thread itself lags)', () => {
    expect(lag({ heartbeatAt: NOW - 20_250, secondsBehind: 0 })).toEqual({ known: true, seconds: 20.25, method: 'heartbeat' });
    expect(lag({ heartbeatAt: NOW - 3_600_000, secondsBehind: 12 })).toEqual({ known: true, seconds: 3600, method: 'heartbeat' });
  });

  it('with a thread down Seconds_Behind is not consulted', () => {
    expect(lag({ heartbeatAt: NOW - 250, sqlRunning: false, secondsBehind: null })).toEqual({ known: true, seconds: 0.25, method: 'heartbeat' });
  });
});

describe('computeLag: properties', () => {
  const instant = fc.integer({ min: 0, max: 4_102_444_800_000 });
  const interval = fc.integer({ min: 1, max: 60_000 });
  const age = fc.integer({ min: -100_000_000, max: 100_000_000 });
  const secondsBehind = fc.option(fc.integer({ min: 0, max: 1_000_000 }), { nil: null });

  it('never known with seconds < 0, never known for a heartbeat beyond the tolerance ahead, never below Seconds_Behind while both threads run', () => {
    fc.assert(
      fc.property(instant, age, interval, fc.boolean(), fc.boolean(), secondsBehind, (heartbeatAt, ageMs, heartbeatIntervalMs, ioRunning, sqlRunning, behind) => {
        const result = computeLag({ heartbeatAt, replicaNow: heartbeatAt + ageMs, ioRunning, sqlRunning, secondsBehind: behind, heartbeatIntervalMs });
        if (!result.known) return;
        expect(result.seconds).toBeGreaterThanOrEqual(0);
        expect(Object.is(result.seconds, -0)).toBe(false);
        expect(ageMs).toBeGreaterThanOrEqual(-FUTURE_TOLERANCE_MS);
        expect(result.seconds).toBeGreaterThanOrEqual(ageMs / 1000);
        if (ioRunning && sqlRunning) {
          expect(behind).not.toBeNull();
          expect(result.seconds).toBeGreaterThanOrEqual(behind ?? Number.NaN);
        }
      }),
    );
  });

  it('both threads running, Seconds_Behind 0: known exactly when the heartbeat is at most the tolerance ahead, and then max(0, age)', () => {
    fc.assert(
      fc.property(instant, age, interval, (heartbeatAt, ageMs, heartbeatIntervalMs) => {
        const result = computeLag({ heartbeatAt, replicaNow: heartbeatAt + ageMs, ioRunning: true, sqlRunning: true, secondsBehind: 0, heartbeatIntervalMs });
        if (ageMs < -FUTURE_TOLERANCE_MS) expect(result).toEqual({ known: false, reason: expect.stringMatching(/ s in the future: /) });
        else expect(result).toEqual({ known: true, seconds: Math.max(0, ageMs / 1000), method: 'heartbeat' });
      }),
    );
  });

  it('IO down: known exactly when the heartbeat is at most 2 × interval old and at most the tolerance ahead', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -10_000, max: 1_000_000 }), interval, (heartbeatAt, ageMs, heartbeatIntervalMs) => {
        const result = computeLag({ heartbeatAt, replicaNow: heartbeatAt + ageMs, ioRunning: false, sqlRunning: true, secondsBehind: null, heartbeatIntervalMs });
        if (ageMs < -FUTURE_TOLERANCE_MS) {
          expect(result).toMatchObject({ known: false, reason: expect.stringMatching(/ s in the future: /) });
        } else if (ageMs > 2 * heartbeatIntervalMs) {
          expect(result).toEqual({ known: false, reason: `the IO thread is down and the last heartbeat is ${(ageMs / 1000).toFixed(1)} s old` });
        } else {
          expect(result).toEqual({ known: true, seconds: Math.max(0, ageMs / 1000), method: 'heartbeat' });
        }
      }),
    );
  });
});

describe("primaryHeartbeat: only the primary's own row counts", () => {
  const PRIMARY = 100;

  it("the primary's row is read as UTC", () => {
    expect(primaryHeartbeat({ primaryServerId: PRIMARY, ts: '2026-11-21T06:00:00.123456', otherServerIds: [7] })).toEqual({ at: 1_795_240_800_123 });
  });

  it("a deleted row (none of the primary's, none at all) is unknown with a reason", () => {
    expect(primaryHeartbeat({ primaryServerId: PRIMARY, ts: undefined, otherServerIds: [] })).toEqual({
      reason: 'no heartbeat row of the primary (server_id 100): not replicated yet, or deleted',
    });
  });

  it("another server_id's row (pt-heartbeat with its own server_id, a previous primary) is not the primary's heartbeat", () => {
    expect(primaryHeartbeat({ primaryServerId: PRIMARY, ts: undefined, otherServerIds: [7, 101] })).toEqual({
      reason:
        "no heartbeat row of the primary (server_id 100): not replicated yet, or deleted; the rows of server_id 7, 101 are another writer's, not this set's primary's, and are not used",
    });
  });

  it('a row that is not UTC text is unknown, quoting it', () => {
    expect(primaryHeartbeat({ primaryServerId: PRIMARY, ts: '1795240800.123', otherServerIds: [] })).toEqual({
      reason: 'the heartbeat row of the primary (server_id 100) holds "1795240800.123", not UTC text YYYY-MM-DDTHH:MM:SS.ffffff',
    });
  });

  it('whatever other rows exist, no row of the primary is never a timestamp', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 1, max: 2 ** 32 - 1 }).filter((id) => id !== PRIMARY)), (others) => {
        const result = primaryHeartbeat({ primaryServerId: PRIMARY, ts: undefined, otherServerIds: others });
        expect('reason' in result).toBe(true);
        for (const id of others) expect(JSON.stringify(result)).toContain(String(id));
      }),
    );
  });
});

describe('parseHeartbeatTs', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('reads pt-heartbeat text to the exact millisecond, as UTC', () => {
    expect(parseHeartbeatTs('2026-11-21T06:00:00.123456')).toBe(Date.UTC(2026, 10, 21, 6, 0, 0, 123));
    expect(parseHeartbeatTs('2026-11-21T06:00:00.123456')).toBe(1_795_240_800_123);
  });

  it('accepts a space between date and time', () => {
    expect(parseHeartbeatTs('2026-11-21 06:00:00.123456')).toBe(1_795_240_800_123);
  });

  it('truncates microseconds, never rounds up', () => {
    expect(parseHeartbeatTs('2026-11-21T06:00:00.999999')).toBe(Date.UTC(2026, 10, 21, 6, 0, 0, 999));
  });

  it('reads shorter fractions and none', () => {
    expect(parseHeartbeatTs('2026-11-21T06:00:00')).toBe(Date.UTC(2026, 10, 21, 6, 0, 0, 0));
    expect(parseHeartbeatTs('2026-11-21T06:00:00.5')).toBe(Date.UTC(2026, 10, 21, 6, 0, 0, 500));
    expect(parseHeartbeatTs('2026-11-21T06:00:00.05')).toBe(Date.UTC(2026, 10, 21, 6, 0, 0, 50));
  });

  it('tolerates surrounding whitespace', () => {
    expect(parseHeartbeatTs(' 2026-11-21T06:00:00.123456\n')).toBe(1_795_240_800_123);
  });

  it('does not depend on the process time zone (the text is UTC)', () => {
    for (const zone of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
      process.env.TZ = zone;
      expect(parseHeartbeatTs('2026-11-21T06:00:00.123456')).toBe(1_795_240_800_123);
      expect(parseHeartbeatTs('2026-07-01 23:30:00.000001')).toBe(Date.UTC(2026, 6, 1, 23, 30, 0, 0));
    }
  });

  it.each([
    '',
    'garbage',
    'NULL',
    '2026-11-21',
    '2026-11-21T06:00',
    '21/11/2026 06:00:00',
    '2026-11-21T06:00:00.',
    '2026-11-21X06:00:00',
    '2026-13-01T00:00:00',
    '2026-11-21T25:00:00',
    '2026-11-21T06:61:00',
    '1795327200123',
    '2026-11-21T06:00:00.123456 trailing',
  ])('garbage %j is undefined', (text) => {
    expect(parseHeartbeatTs(text)).toBeUndefined();
  });

  it.each(['2026-02-30T00:00:00', '2026-04-31 12:00:00.000000', '2025-02-29T06:00:00.123456'])(
    'an impossible calendar date %j is undefined, not rolled over into the next month',
    (text) => {
      expect(parseHeartbeatTs(text)).toBeUndefined();
    },
  );

  it('round-trips any instant written the way the primary writes it (DATE_FORMAT(UTC_TIMESTAMP(6), ...))', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 253_402_300_799_999 }), fc.integer({ min: 0, max: 999 }), (ms, micros) => {
        const text = `${new Date(ms).toISOString().slice(0, 23)}${String(micros).padStart(3, '0')}`;
        expect(parseHeartbeatTs(text)).toBe(ms);
        expect(parseHeartbeatTs(text.replace('T', ' '))).toBe(ms);
      }),
    );
  });
});
