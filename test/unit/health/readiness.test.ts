import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Lag } from '../../../src/health/lag.js';
import { assessReadiness, CAUGHT_UP_SHARE, Hysteresis, type Assessment, type Observation, type Verdict } from '../../../src/health/readiness.js';
import type { ReplicaStatus } from '../../../src/mysql/replica-status.js';
import { healthyReplicaStatus } from '../../support/replica-status-fixture.js';

const MAX_LAG = 10;
const host = 'mysql-0.mysql.db.svc.cluster.local';
const primaryUuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';

function status(overrides: Partial<ReplicaStatus> = {}): ReplicaStatus {
  return healthyReplicaStatus({ sourceHost: host, retrievedGtid: `${primaryUuid}:1-500`, executedGtid: `${primaryUuid}:1-500`, ...overrides });
}

function replica(overrides: Partial<Observation> = {}): Observation {
  return {
    role: 'replica',
    serverUp: true,
    serverError: undefined,
    writable: false,
    replication: status(),
    lag: { known: true, seconds: 0.4 },
    errant: undefined,
    ...overrides,
  };
}

function primary(overrides: Partial<Observation> = {}): Observation {
  return {
    role: 'primary',
    serverUp: true,
    serverError: undefined,
    writable: true,
    replication: undefined,
    lag: undefined,
    errant: undefined,
    ...overrides,
  };
}

const sorted = (reasons: readonly string[]): string[] => [...reasons].sort();

const connectError =
  "error connecting to master 'repl@mysql-0.mysql.db.svc.cluster.local:3306' - retry-time: 2 retries: 1 message: " +
  "Can't connect to MySQL server on 'mysql-0.mysql.db.svc.cluster.local:3306' (111)";
const purgedText =
  "Got fatal error 1236 from source when reading data from binary log: 'Cannot replicate because the source purged required " +
  "binary logs. Replicate the missing transactions from elsewhere, or provision a new replica from backup.'";
/** The same condition as MariaDB words it: no "purged" in the server's text. */
const mariaDbPurgedText =
  "Got fatal error 1236 from master when reading data from binary log: 'Could not find GTID state requested by slave in any " +
  "binlog files. Probably the slave state is too old and required binlog files have been purged.'";
const mariaDbGapText =
  "Got fatal error 1236 from master when reading data from binary log: 'Error: connecting slave requested to start from " +
  "GTID 0-100-42, which is not in the master's binlog'";
const duplicateKey = "Could not execute Write_rows event on table app.items; Duplicate entry '42' for key 'PRIMARY', Error_code: 1062";

describe('assessReadiness: primary', () => {
  it('is ready when up and writable', () => {
    expect(assessReadiness(primary(), MAX_LAG)).toEqual({ ready: true, reasons: [], certain: true });
  });

  it('is not ready when read-only', () => {
    expect(assessReadiness(primary({ writable: false }), MAX_LAG)).toEqual({ ready: false, reasons: ['the primary is read-only'], certain: true });
  });

  it('is not ready when the server is down, with the error as the reason', () => {
    expect(
      assessReadiness(primary({ serverUp: false, serverError: 'connect ENOENT /run/mysqld/mysqld.sock', writable: undefined }), MAX_LAG),
    ).toEqual({ ready: false, reasons: ['the server does not answer: connect ENOENT /run/mysqld/mysqld.sock'], certain: true });
  });

  it('is not Ready on a server that is not the identity config\'s, whichever role, with that reason alone', () => {
    const misidentified = 'the server runs with server_id 1, not 100 as /etc/mysql/conf.d/mysql-sts-agent.cnf says: it did not read the identity config';
    const expected = { ready: false, reasons: [misidentified], certain: true };
    expect(assessReadiness(primary({ misidentified, writable: undefined }), MAX_LAG)).toEqual(expected);
    expect(assessReadiness(replica({ misidentified }), MAX_LAG)).toEqual(expected);
  });

  it('does not judge a primary by replication or lag', () => {
    expect(assessReadiness(primary({ lag: { known: false, reason: 'no heartbeat received yet' } }), MAX_LAG)).toEqual({ ready: true, reasons: [], certain: true });
  });
});

describe('assessReadiness: replica, one fault at a time', () => {
  it('is ready when everything is fine', () => {
    expect(assessReadiness(replica(), MAX_LAG)).toEqual({ ready: true, reasons: [], certain: true });
  });

  it('server down', () => {
    const observation = replica({ serverUp: false, serverError: 'connect ECONNREFUSED 127.0.0.1:3306' });
    expect(assessReadiness(observation, MAX_LAG)).toEqual({ ready: false, reasons: ['the server does not answer: connect ECONNREFUSED 127.0.0.1:3306'], certain: true });
    expect(assessReadiness(replica({ serverUp: false }), MAX_LAG)).toEqual({ ready: false, reasons: ['the server does not answer: unknown error'], certain: true });
  });

  it('replication not configured', () => {
    expect(assessReadiness(replica({ replication: undefined }), MAX_LAG)).toEqual({ ready: false, reasons: ['replication is not configured'], certain: true });
  });

  it('IO thread not running, with its state', () => {
    expect(assessReadiness(replica({ replication: status({ ioRunning: false, ioState: 'No' }) }), MAX_LAG)).toEqual({
      ready: false,
      reasons: ['the IO thread is not running (No)'],
      certain: true,
    });
    expect(assessReadiness(replica({ replication: status({ ioRunning: false, ioState: 'Connecting' }) }), MAX_LAG)).toEqual({
      ready: false,
      reasons: ['the IO thread is not running (Connecting)'],
      certain: true,
    });
  });

  it('SQL thread not running', () => {
    expect(assessReadiness(replica({ replication: status({ sqlRunning: false }) }), MAX_LAG)).toEqual({
      ready: false,
      reasons: ['the SQL thread is not running'],
      certain: true,
    });
  });

  it('IO error', () => {
    expect(assessReadiness(replica({ replication: status({ lastIoErrno: 2003, lastIoError: connectError }) }), MAX_LAG)).toEqual({
      ready: false,
      reasons: [`replication IO error 2003: ${connectError}`],
      certain: true,
    });
  });

  it('error 1236: the reason says "purged"', () => {
    const verdict = assessReadiness(replica({ replication: status({ lastIoErrno: 1236, lastIoError: purgedText }) }), MAX_LAG);
    expect(verdict).toEqual({
      ready: false,
      reasons: [`purged: the primary no longer has binlogs this replica needs (error 1236: ${purgedText})`],
      certain: true,
    });
    expect(verdict.reasons[0]).toMatch(/purged/);
  });

  it('error 1236 on MariaDB, whose text has other words, is still classified as purged', () => {
    for (const text of [mariaDbPurgedText, mariaDbGapText]) {
      const verdict = assessReadiness(replica({ replication: status({ lastIoErrno: 1236, lastIoError: text }) }), MAX_LAG);
      expect(verdict.ready).toBe(false);
      expect(verdict.reasons).toHaveLength(1);
      expect(verdict.reasons[0]).toMatch(/^purged: /);
    }
  });

  it('MySQL 8.0/8.4 report a 1236 from the source as Last_IO_Errno 13114: still classified as purged, not as a plain IO error', () => {
    // 8.0+ wraps the source's error: Last_IO_Errno 13114 (ER_SERVER_SOURCE_FATAL_ERROR_READING_BINLOG),
    // Last_IO_Error "Got fatal error 1236 from source ...". The reason must not depend on the server's text saying "purged".
    const gapText = "Got fatal error 1236 from source when reading data from binary log: 'Could not find first log file name in binary log index file'";
    for (const text of [purgedText, gapText]) {
      const verdict = assessReadiness(replica({ replication: status({ lastIoErrno: 13114, lastIoError: text }) }), MAX_LAG);
      expect(verdict.ready).toBe(false);
      expect(verdict.reasons.filter((reason) => /^purged: /.test(reason))).toHaveLength(1);
      expect(verdict.reasons.filter((reason) => /^replication IO error/.test(reason))).toEqual([]);
    }
  });

  it('SQL error', () => {
    expect(assessReadiness(replica({ replication: status({ lastSqlErrno: 1062, lastSqlError: duplicateKey }) }), MAX_LAG)).toEqual({
      ready: false,
      reasons: [`replication SQL error 1062: ${duplicateKey}`],
      certain: true,
    });
  });

  it('errant transactions: the reason says "errant" and names them', () => {
    const verdict = assessReadiness(replica({ errant: '0-101-43' }), MAX_LAG);
    expect(verdict).toEqual({ ready: false, reasons: ['errant transactions: the replica has 0-101-43 that the primary lacks'], certain: true });
    expect(verdict.reasons[0]).toMatch(/errant/);
  });

  it('lag unknown: the reason says "unknown" and why', () => {
    const noHeartbeat: Lag = { known: false, reason: 'no heartbeat received yet' };
    expect(assessReadiness(replica({ lag: noHeartbeat }), MAX_LAG)).toEqual({ ready: false, reasons: ['lag unknown: no heartbeat received yet'], certain: true });
    expect(assessReadiness(replica({ lag: undefined }), MAX_LAG)).toEqual({ ready: false, reasons: ['lag unknown: not measured'], certain: true });
  });

  it('lag above the threshold; at the threshold is still ready', () => {
    expect(assessReadiness(replica({ lag: { known: true, seconds: 12.34 } }), MAX_LAG)).toEqual({
      ready: false,
      reasons: ['lag 12.3 s is above the 10 s threshold'],
      certain: false,
    });
    expect(assessReadiness(replica({ lag: { known: true, seconds: 10.01 } }), MAX_LAG).ready).toBe(false);
    expect(assessReadiness(replica({ lag: { known: true, seconds: 10 } }), MAX_LAG)).toEqual({ ready: true, reasons: [], certain: false });
    expect(assessReadiness(replica({ lag: { known: true, seconds: 0 } }), 0)).toEqual({ ready: true, reasons: [], certain: true });
  });

  it('a NULL Seconds_Behind is unknown lag, never ready (ARCHITECTURE.md, "Lag and readiness"), even beside a fresh heartbeat', () => {
    const verdict = assessReadiness(replica({ replication: status({ secondsBehind: null }), lag: { known: true, seconds: 0.2 } }), MAX_LAG);
    expect(verdict.ready).toBe(false);
    expect(verdict.reasons.some((reason) => /unknown/.test(reason))).toBe(true);
  });

  it('a replica is judged by replication, not by being read-only', () => {
    expect(assessReadiness(replica({ writable: false }), MAX_LAG)).toEqual({ ready: true, reasons: [], certain: true });
  });
});

describe('assessReadiness: replica, realistic combinations', () => {
  it('a disconnected replica (IO Connecting, error 2003, stale heartbeat) lists every cause', () => {
    const lag: Lag = { known: false, reason: 'the IO thread is down and the last heartbeat is 30.0 s old' };
    const observation = replica({
      replication: status({ ioRunning: false, ioState: 'Connecting', lastIoErrno: 2003, lastIoError: connectError, secondsBehind: null }),
      lag,
    });
    const verdict = assessReadiness(observation, MAX_LAG);
    expect(verdict.ready).toBe(false);
    expect(sorted(verdict.reasons)).toEqual(
      sorted([
        `replication IO error 2003: ${connectError}`,
        'the IO thread is not running (Connecting)',
        'lag unknown: the IO thread is down and the last heartbeat is 30.0 s old',
      ]),
    );
  });

  it('a stopped replica after 1236 reports purged once, never also as a plain IO error', () => {
    const verdict = assessReadiness(
      replica({ replication: status({ ioRunning: false, ioState: 'No', lastIoErrno: 1236, lastIoError: purgedText, secondsBehind: null }) }),
      MAX_LAG,
    );
    expect(sorted(verdict.reasons)).toEqual(
      sorted([`purged: the primary no longer has binlogs this replica needs (error 1236: ${purgedText})`, 'the IO thread is not running (No)']),
    );
  });

  it('errant transactions and an SQL error together', () => {
    const verdict = assessReadiness(
      replica({ errant: `${primaryUuid.replace('3e', '4f')}:1-2`, replication: status({ sqlRunning: false, lastSqlErrno: 1062, lastSqlError: duplicateKey }) }),
      MAX_LAG,
    );
    expect(sorted(verdict.reasons)).toEqual(
      sorted([
        `errant transactions: the replica has ${primaryUuid.replace('3e', '4f')}:1-2 that the primary lacks`,
        `replication SQL error 1062: ${duplicateKey}`,
        'the SQL thread is not running',
      ]),
    );
  });

  it('a fresh replica before its first heartbeat is not ready', () => {
    const verdict = assessReadiness(replica({ lag: { known: false, reason: 'no heartbeat received yet' } }), MAX_LAG);
    expect(verdict).toEqual({ ready: false, reasons: ['lag unknown: no heartbeat received yet'], certain: true });
  });
});

describe('assessReadiness: property', () => {
  const faults = fc.record({
    errant: fc.boolean(),
    notConfigured: fc.boolean(),
    ioDown: fc.boolean(),
    sqlDown: fc.boolean(),
    ioError: fc.constantFrom('none', 'purged', 'other'),
    sqlError: fc.boolean(),
    lag: fc.constantFrom('ok', 'unknown', 'unmeasured', 'high'),
    maxLag: fc.integer({ min: 0, max: 300 }),
  });

  it('a replica is ready exactly when nothing is wrong, and each fault has its reason', () => {
    fc.assert(
      fc.property(faults, (f) => {
        const lag: Lag | undefined =
          f.lag === 'ok'
            ? { known: true, seconds: f.maxLag / 2 }
            : f.lag === 'high'
              ? { known: true, seconds: f.maxLag + 0.5 }
              : f.lag === 'unknown'
                ? { known: false, reason: 'no heartbeat received yet' }
                : undefined;
        const observation = replica({
          errant: f.errant ? '0-101-43' : undefined,
          replication: f.notConfigured
            ? undefined
            : status({
                ioRunning: !f.ioDown,
                ioState: f.ioDown ? 'No' : 'Yes',
                sqlRunning: !f.sqlDown,
                // Kept at 0 so that only the faults above decide (a NULL here is its own case above).
                secondsBehind: 0,
                lastIoErrno: f.ioError === 'purged' ? 1236 : f.ioError === 'other' ? 2003 : 0,
                lastIoError: f.ioError === 'purged' ? purgedText : f.ioError === 'other' ? connectError : '',
                lastSqlErrno: f.sqlError ? 1062 : 0,
                lastSqlError: f.sqlError ? duplicateKey : '',
              }),
          lag,
        });
        const configured = !f.notConfigured;
        const expected: RegExp[] = [];
        if (f.errant) expected.push(/^errant transactions/);
        if (f.notConfigured) expected.push(/^replication is not configured$/);
        if (configured && f.ioDown) expected.push(/^the IO thread is not running/);
        if (configured && f.sqlDown) expected.push(/^the SQL thread is not running$/);
        if (configured && f.ioError === 'purged') expected.push(/^purged: /);
        if (configured && f.ioError === 'other') expected.push(/^replication IO error 2003: /);
        if (configured && f.sqlError) expected.push(/^replication SQL error 1062: /);
        if (f.lag === 'unknown' || f.lag === 'unmeasured') expected.push(/^lag unknown: /);
        if (f.lag === 'high') expected.push(/ s threshold$/);

        const verdict = assessReadiness(observation, f.maxLag);
        expect(verdict.ready).toBe(expected.length === 0);
        expect(verdict.reasons).toHaveLength(expected.length);
        for (const pattern of expected) expect(verdict.reasons.filter((reason) => pattern.test(reason))).toHaveLength(1);
      }),
    );
  });
});

/** Uncertain verdicts (a lag near the threshold): the hysteresis holds them back. */
const READY: Verdict = { ready: true, reasons: [] };
const notReady = (...reasons: string[]): Verdict => ({ ready: false, reasons });
const uncertain = (verdict: Verdict): Assessment => ({ ...verdict, certain: false });
/** Certain verdicts (a stopped thread, a caught-up replica): acted on at once. */
const fact = (verdict: Verdict): Assessment => ({ ...verdict, certain: true });

function feed(hysteresis: Hysteresis, verdicts: readonly (Verdict | Assessment)[]): Verdict[] {
  return verdicts.map((verdict) => hysteresis.update('certain' in verdict ? verdict : uncertain(verdict)));
}

describe('Hysteresis(3), uncertain verdicts (a lag near the threshold)', () => {
  it('starts not ready, with a reason, and needs 3 consecutive ready verdicts to become ready', () => {
    const hysteresis = new Hysteresis(3);
    const [first, second, third] = feed(hysteresis, [READY, READY, READY]);
    expect(first?.ready).toBe(false);
    expect(first?.reasons.length).toBeGreaterThan(0);
    expect(second?.ready).toBe(false);
    expect(second?.reasons.length).toBeGreaterThan(0);
    expect(third).toEqual({ ready: true, reasons: [] });
  });

  it('once ready, stays ready through 2 not-ready verdicts and flips on the 3rd, with its reasons', () => {
    const hysteresis = new Hysteresis(3);
    feed(hysteresis, [READY, READY, READY]);
    expect(feed(hysteresis, [notReady('a'), notReady('b'), notReady('lag unknown: no heartbeat received yet')])).toEqual([
      READY,
      READY,
      { ready: false, reasons: ['lag unknown: no heartbeat received yet'] },
    ]);
  });

  it('a streak broken by one agreeing verdict starts over, either way', () => {
    const hysteresis = new Hysteresis(3);
    const up = feed(hysteresis, [READY, READY, notReady('x'), READY, READY]);
    expect(up.map((verdict) => verdict.ready)).toEqual([false, false, false, false, false]);
    expect(hysteresis.update(uncertain(READY))).toEqual(READY);
    const down = feed(hysteresis, [notReady('a'), notReady('b'), READY, notReady('c'), notReady('d')]);
    expect(down).toEqual([READY, READY, READY, READY, READY]);
    expect(hysteresis.update(uncertain(notReady('e')))).toEqual(notReady('e'));
  });

  it('while not ready, shows the reasons of the latest not-ready verdict, also during a ready streak', () => {
    const hysteresis = new Hysteresis(3);
    expect(hysteresis.update(uncertain(notReady('replication is not configured')))).toEqual(notReady('replication is not configured'));
    expect(hysteresis.update(uncertain(notReady('the SQL thread is not running', 'lag unknown: not measured')))).toEqual(
      notReady('the SQL thread is not running', 'lag unknown: not measured'),
    );
    expect(feed(hysteresis, [READY, READY])).toEqual([
      notReady('the SQL thread is not running', 'lag unknown: not measured'),
      notReady('the SQL thread is not running', 'lag unknown: not measured'),
    ]);
    expect(hysteresis.update(uncertain(READY))).toEqual(READY);
  });

  it('while ready, a not-ready blip shows no reasons', () => {
    const hysteresis = new Hysteresis(3);
    feed(hysteresis, [READY, READY, READY]);
    expect(hysteresis.update(uncertain(notReady('lag 12.0 s is above the 10 s threshold')))).toEqual(READY);
  });

  it('Hysteresis(1) follows every verdict at once', () => {
    const hysteresis = new Hysteresis(1);
    expect(feed(hysteresis, [READY, notReady('a'), READY, notReady('b'), notReady('c')])).toEqual([
      READY,
      notReady('a'),
      READY,
      notReady('b'),
      notReady('c'),
    ]);
  });
});

describe('Hysteresis: property against a reference model', () => {
  const reasonPool = ['the SQL thread is not running', 'lag unknown: not measured', 'replication is not configured', 'errant transactions: x'];
  const verdict: fc.Arbitrary<Assessment> = fc.record({
    verdict: fc.oneof(
      fc.constant(READY),
      fc.uniqueArray(fc.constantFrom(...reasonPool), { minLength: 1, maxLength: 3 }).map((reasons): Verdict => ({ ready: false, reasons })),
    ),
    certain: fc.boolean(),
  }).map(({ verdict: v, certain }) => ({ ...v, certain }));

  /** The spec, written plainly: flip on a certain input, or when the last `checks` inputs all disagree with the state. */
  function model(checks: number, inputs: readonly Assessment[]): Array<{ ready: boolean; reasons: readonly string[] | 'initial' }> {
    let ready = false;
    let streak = 0;
    let shown: readonly string[] | 'initial' = 'initial';
    return inputs.map((input) => {
      streak = input.ready === ready ? 0 : streak + 1;
      if (streak > 0 && (input.certain || streak >= checks)) {
        ready = input.ready;
        streak = 0;
      }
      if (!input.ready) shown = input.reasons;
      return { ready, reasons: ready ? [] : shown };
    });
  }

  it('matches the model for any verdict sequence and any number of checks', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(verdict, { maxLength: 60 }), (checks, inputs) => {
        const actual = feed(new Hysteresis(checks), inputs);
        const expected = model(checks, inputs);
        actual.forEach((output, index) => {
          const wanted = expected[index];
          expect(output.ready).toBe(wanted?.ready);
          if (wanted?.reasons === 'initial') expect(output.reasons.length).toBeGreaterThan(0);
          else expect(output.reasons).toEqual(wanted?.reasons);
        });
      }),
    );
  });

  it('every flip comes from a certain verdict, or after `checks` consecutive verdicts that agree with the new state', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.array(verdict, { maxLength: 60 }), (checks, inputs) => {
        const outputs = feed(new Hysteresis(checks), inputs);
        let previous = false;
        outputs.forEach((output, index) => {
          if (output.ready !== previous && inputs[index]?.certain === true) expect(inputs[index]?.ready).toBe(output.ready);
          else if (output.ready !== previous) {
            expect(index + 1).toBeGreaterThanOrEqual(checks);
            const window = inputs.slice(index + 1 - checks, index + 1);
            expect(window.every((input) => input.ready === output.ready)).toBe(true);
          }
          if (!output.ready) expect(output.reasons.length).toBeGreaterThan(0);
          else expect(output.reasons).toEqual([]);
          previous = output.ready;
        });
      }),
    );
  });
});

describe('Hysteresis: certain verdicts act on the first check that proves them', () => {
  it('a caught-up replica is Ready on its first passing check, and a stopped thread takes it out on the next', () => {
    const hysteresis = new Hysteresis(3);
    expect(hysteresis.update(fact(READY))).toEqual(READY);
    expect(hysteresis.update(fact(notReady('the SQL thread is not running')))).toEqual(notReady('the SQL thread is not running'));
    expect(hysteresis.update(fact(READY))).toEqual(READY);
  });

  it('a certain fact cuts an uncertain streak short, and an uncertain reading after it starts a new streak', () => {
    const hysteresis = new Hysteresis(3);
    expect(feed(hysteresis, [READY, READY, fact(READY)]).map((verdict) => verdict.ready)).toEqual([false, false, true]);
    const lagHigh = notReady('lag 12.0 s is above the 10 s threshold');
    expect(feed(hysteresis, [lagHigh, lagHigh])).toEqual([READY, READY]);
    expect(hysteresis.update(uncertain(lagHigh))).toEqual(lagHigh);
  });
});

describe('assessReadiness: which verdicts are certain', () => {
  it('every fault of the server or of replication is certain; a lag above the threshold alone is not', () => {
    expect(assessReadiness(replica({ replication: status({ sqlRunning: false }) }), MAX_LAG).certain).toBe(true);
    expect(assessReadiness(replica({ serverUp: false }), MAX_LAG).certain).toBe(true);
    expect(assessReadiness(replica({ lag: { known: false, reason: 'no heartbeat received yet' } }), MAX_LAG).certain).toBe(true);
    expect(assessReadiness(replica({ lag: { known: true, seconds: 30 } }), MAX_LAG).certain).toBe(false);
    const both = assessReadiness(replica({ lag: { known: true, seconds: 30 }, replication: status({ sqlRunning: false }) }), MAX_LAG);
    expect(both).toEqual({ ready: false, reasons: ['the SQL thread is not running', 'lag 30.0 s is above the 10 s threshold'], certain: true });
  });

  it('Ready is certain exactly when the lag is at most CAUGHT_UP_SHARE of the threshold', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 600 }), fc.double({ min: 0, max: 1, noNaN: true }), (maxLag, share) => {
        const seconds = maxLag * share;
        const verdict = assessReadiness(replica({ lag: { known: true, seconds } }), maxLag);
        expect(verdict.ready).toBe(true);
        expect(verdict.certain).toBe(seconds <= maxLag * CAUGHT_UP_SHARE);
      }),
    );
  });
});
