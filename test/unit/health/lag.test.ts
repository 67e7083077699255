import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { computeLag, parseHeartbeatTs } from '../../../src/health/lag.js';

const INTERVAL = 1000;
const NOW = Date.UTC(2026, 10, 21, 6, 0, 10, 0);

function lag(input: { heartbeatAt: number | undefined; replicaNow?: number; ioRunning: boolean; heartbeatIntervalMs?: number }) {
  return computeLag({ replicaNow: NOW, heartbeatIntervalMs: INTERVAL, ...input });
}

describe('computeLag: unknown is not zero', () => {
  it('no heartbeat applied yet is unknown, whether or not the IO thread runs', () => {
    expect(lag({ heartbeatAt: undefined, ioRunning: true })).toEqual({ known: false, reason: 'no heartbeat received yet' });
    expect(lag({ heartbeatAt: undefined, ioRunning: false })).toEqual({ known: false, reason: 'no heartbeat received yet' });
  });

  it('a heartbeat older than 2 × interval with the IO thread down is unknown, and the reason names the age', () => {
    expect(lag({ heartbeatAt: NOW - 5000, ioRunning: false })).toEqual({
      known: false,
      reason: 'the IO thread is down and the last heartbeat is 5.0 s old',
    });
    expect(lag({ heartbeatAt: NOW - 93_250, ioRunning: false })).toEqual({
      known: false,
      reason: 'the IO thread is down and the last heartbeat is 93.3 s old',
    });
  });

  it('the stale limit scales with the interval', () => {
    expect(lag({ heartbeatAt: NOW - 5000, ioRunning: false, heartbeatIntervalMs: 3000 })).toEqual({ known: true, seconds: 5 });
    expect(lag({ heartbeatAt: NOW - 6001, ioRunning: false, heartbeatIntervalMs: 3000 })).toEqual({
      known: false,
      reason: 'the IO thread is down and the last heartbeat is 6.0 s old',
    });
  });

  it('the stale limit is strict: exactly 2 × interval is still known, 1 ms more is not', () => {
    expect(lag({ heartbeatAt: NOW - 2000, ioRunning: false })).toEqual({ known: true, seconds: 2 });
    expect(lag({ heartbeatAt: NOW - 2001, ioRunning: false })).toMatchObject({ known: false });
  });

  it('the strict limit holds for every interval in ms, with no floating-point rounding at the boundary', () => {
    const wrong: number[] = [];
    for (let interval = 1; interval <= 60_000; interval += 1) {
      const atLimit = computeLag({ heartbeatAt: NOW - 2 * interval, replicaNow: NOW, ioRunning: false, heartbeatIntervalMs: interval });
      const past = computeLag({ heartbeatAt: NOW - 2 * interval - 1, replicaNow: NOW, ioRunning: false, heartbeatIntervalMs: interval });
      if (!atLimit.known || past.known) wrong.push(interval);
    }
    expect({ count: wrong.length, first: wrong.slice(0, 5) }).toEqual({ count: 0, first: [] });
  });

  it('a fresh heartbeat with the IO thread down is still known (a primary restart, seconds ago)', () => {
    expect(lag({ heartbeatAt: NOW - 1500, ioRunning: false })).toEqual({ known: true, seconds: 1.5 });
  });
});

describe('computeLag: known', () => {
  it('with the IO thread running, an old heartbeat is known and the lag grows with it', () => {
    expect(lag({ heartbeatAt: NOW - 250, ioRunning: true })).toEqual({ known: true, seconds: 0.25 });
    expect(lag({ heartbeatAt: NOW - 5000, ioRunning: true })).toEqual({ known: true, seconds: 5 });
    expect(lag({ heartbeatAt: NOW - 3_600_000, ioRunning: true })).toEqual({ known: true, seconds: 3600 });
  });

  it('is never negative: a heartbeat ahead of the replica clock (skew) is 0', () => {
    for (const ioRunning of [true, false]) {
      const result = lag({ heartbeatAt: NOW + 700, ioRunning });
      expect(result).toEqual({ known: true, seconds: 0 });
      expect(result.known && Object.is(result.seconds, -0)).toBe(false);
    }
  });

  it('the same instant is 0', () => {
    expect(lag({ heartbeatAt: NOW, ioRunning: true })).toEqual({ known: true, seconds: 0 });
  });
});

describe('computeLag: properties', () => {
  const instant = fc.integer({ min: 0, max: 4_102_444_800_000 });
  const interval = fc.integer({ min: 1, max: 60_000 });

  it('IO running: known, and seconds === max(0, (now - hb) / 1000)', () => {
    fc.assert(
      fc.property(instant, instant, interval, (heartbeatAt, replicaNow, heartbeatIntervalMs) => {
        const result = computeLag({ heartbeatAt, replicaNow, ioRunning: true, heartbeatIntervalMs });
        expect(result).toEqual({ known: true, seconds: Math.max(0, (replicaNow - heartbeatAt) / 1000) });
      }),
    );
  });

  it('IO down: known exactly when the heartbeat is at most 2 × interval old; never negative', () => {
    fc.assert(
      fc.property(instant, fc.integer({ min: -10_000, max: 1_000_000 }), interval, (heartbeatAt, age, heartbeatIntervalMs) => {
        const replicaNow = heartbeatAt + age;
        const result = computeLag({ heartbeatAt, replicaNow, ioRunning: false, heartbeatIntervalMs });
        if (age > 2 * heartbeatIntervalMs) {
          expect(result).toEqual({
            known: false,
            reason: `the IO thread is down and the last heartbeat is ${(age / 1000).toFixed(1)} s old`,
          });
        } else {
          expect(result).toEqual({ known: true, seconds: Math.max(0, age / 1000) });
        }
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
