import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ReplicaStatus } from '../../../src/mysql/replica-status.js';
import { healthyReplicaStatus } from '../../support/replica-status-fixture.js';
import { planReplication, RESTART_PAUSE_MS, type ReplicationHistory } from '../../../src/replication/plan.js';

const target = { host: 'mysql-0.mysql.default.svc.cluster.local', port: 3306 };
const NOW = 1_000_000;

function status(extra: Partial<ReplicaStatus> = {}): ReplicaStatus {
  return healthyReplicaStatus({ sourceHost: target.host, sourcePort: target.port, ...extra });
}

const later: ReplicationHistory = { freshBoot: false, lastRestartAt: 0, now: NOW };
const ioStopped = { ioRunning: false, ioState: 'No' } as const;

describe('planReplication', () => {
  it.each<[string, Partial<ReplicaStatus> | undefined, ReplicationHistory, string]>([
    ['never configured: point, from the clone position', undefined, later, 'point first'],
    ['configured without a host: point, from the clone position', { sourceHost: '' }, later, 'point first'],
    ['pointing at another host: re-point', { sourceHost: 'old-primary' }, later, 'point'],
    ['pointing at another port: re-point', { sourcePort: 3307 }, later, 'point'],
    ['running: nothing', {}, later, 'none'],
    ['IO thread reconnecting by itself: nothing', { ioRunning: false, ioState: 'Connecting', lastIoErrno: 2003 }, later, 'none'],
    ['stopped after a fresh boot: start', { ...ioStopped, sqlRunning: false }, { ...later, freshBoot: true }, 'start'],
    ['both stopped by hand: respected', { ...ioStopped, sqlRunning: false }, later, 'none'],
    ['IO thread failed: start', { ...ioStopped, lastIoErrno: 2003, lastIoError: 'cannot connect' }, later, 'start'],
    ['SQL thread failed: start', { sqlRunning: false, lastSqlErrno: 1062, lastSqlError: 'duplicate' }, later, 'start'],
    ['IO failed while SQL stopped by hand: respected', { ...ioStopped, sqlRunning: false, lastIoErrno: 2003 }, later, 'none'],
    ['purged gap 1236: a restart cannot help', { ...ioStopped, lastIoErrno: 1236, lastIoError: 'purged' }, later, 'none'],
    ['purged gap 13114 wrapping 1236', { ...ioStopped, lastIoErrno: 13114, lastIoError: 'Got fatal error 1236 from source' }, later, 'none'],
    ['13114 for another reason: start', { ...ioStopped, lastIoErrno: 13114, lastIoError: 'Got fatal error 1595 from source' }, later, 'start'],
    ['failed again within the pause: wait', { ...ioStopped, lastIoErrno: 2003 }, { ...later, lastRestartAt: NOW - RESTART_PAUSE_MS }, 'none'],
    ['failed again after the pause: start', { ...ioStopped, lastIoErrno: 2003 }, { ...later, lastRestartAt: NOW - RESTART_PAUSE_MS - 1 }, 'start'],
  ])('%s', (_what, extra, history, expected) => {
    const action = planReplication({ status: extra === undefined ? undefined : status(extra), errant: undefined }, target, history);
    expect(action.kind === 'point' ? `point${action.firstTime ? ' first' : ''}` : action.kind).toBe(expected);
    expect(action.reason).not.toBe('');
  });

  describe('error 1236 after an empty primary (a lost volume, since rebuilt from a peer)', () => {
    const gap = status({ ...ioStopped, lastIoErrno: 1236, lastIoError: "Error: connecting slave requested to start from GTID 0-100-500, which is not in the master's binlog" });
    const plan = (holds: boolean | undefined, history: Partial<ReplicationHistory>) =>
      planReplication({ status: gap, errant: undefined, primaryHoldsReplica: holds }, target, { ...later, ...history });

    it('starts again once the primary that lacked the replica\'s transactions holds them all', () => {
      expect(plan(true, { primaryLackedReplica: true })).toEqual({ kind: 'start', reason: 'the primary now holds every transaction of this replica (it lacked them when replication stopped)' });
    });

    it('stays stopped, with the reason, while the primary lacks them, when nobody saw it lack them (a real purge), when unknown, and within the pause', () => {
      expect(plan(false, { primaryLackedReplica: true }).reason).toBe('the primary lacks transactions this replica has: left stopped until the primary holds them (rebuilt from a peer) or this replica is rebuilt');
      expect(plan(true, { primaryLackedReplica: false }).reason).toBe('the primary purged binlogs this replica needs: a restart cannot fix that');
      expect(plan(undefined, { primaryLackedReplica: true }).kind).toBe('none');
      expect(plan(true, { primaryLackedReplica: true, lastRestartAt: NOW - RESTART_PAUSE_MS }).kind).toBe('none');
    });
  });

  it('touches nothing on a replica with errant transactions, whatever else is true', () => {
    fc.assert(
      fc.property(statusArb(), historyArb(), (observed, history) => {
        expect(planReplication({ status: observed, errant: 'uuid:1-3' }, target, history).kind).toBe('none');
      }),
    );
  });
});

function statusArb() {
  return fc.option(
    fc.record({
      ioState: fc.constantFrom('Yes', 'No', 'Connecting'),
      sqlRunning: fc.boolean(),
      sourceHost: fc.constantFrom(target.host, '', 'elsewhere'),
      sourcePort: fc.constantFrom(3306, 3307),
      lastIoErrno: fc.constantFrom(0, 1236, 2003, 13114),
      lastIoError: fc.constantFrom('', 'Got fatal error 1236 from source'),
      lastSqlErrno: fc.constantFrom(0, 1062),
    }).map((fields) => status({ ...fields, ioRunning: fields.ioState === 'Yes' })),
    { nil: undefined },
  );
}

function historyArb() {
  return fc.record({ freshBoot: fc.boolean(), lastRestartAt: fc.integer({ min: 0, max: NOW }), now: fc.constant(NOW) });
}

describe('planReplication properties', () => {
  it('always points a replica that is not pointed at the target, and only then', () => {
    fc.assert(
      fc.property(statusArb(), historyArb(), (observed, history) => {
        const action = planReplication({ status: observed, errant: undefined }, target, history);
        const elsewhere = observed === undefined || observed.sourceHost !== target.host || observed.sourcePort !== target.port;
        expect(action.kind === 'point').toBe(elsewhere);
        if (action.kind === 'point') expect(action.firstTime).toBe(observed === undefined || observed.sourceHost === '');
      }),
    );
  });

  it('never starts running replication, a purged gap after boot, or a thread an operator stopped', () => {
    fc.assert(
      fc.property(statusArb(), historyArb(), (observed, history) => {
        const action = planReplication({ status: observed, errant: undefined }, target, history);
        if (action.kind !== 'start' || observed === undefined) return;
        expect(observed.ioState === 'No' || !observed.sqlRunning).toBe(true);
        if (history.freshBoot) return;
        const byHand = (observed.ioState === 'No' && observed.lastIoErrno === 0) || (!observed.sqlRunning && observed.lastSqlErrno === 0);
        expect(byHand).toBe(false);
        expect(observed.lastIoErrno === 1236 || /error 1236/.test(observed.lastIoError) && observed.lastIoErrno === 13114).toBe(false);
        expect(history.now - history.lastRestartAt).toBeGreaterThan(RESTART_PAUSE_MS);
      }),
    );
  });
});
