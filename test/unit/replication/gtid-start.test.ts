import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { chooseGtidStart, planGtidStart } from '../../../src/replication/gtid-start.js';

const clone = '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-42';

describe('planGtidStart (MySQL, a clone GTID position against gtid_executed)', () => {
  it('keeps a server that already knows the whole position (restored gtid_executed, or a replica past it)', () => {
    expect(planGtidStart({ covered: true, within: true, executed: clone, clone })).toEqual({ action: 'keep' });
    expect(planGtidStart({ covered: true, within: false, executed: `${clone.replace('1-42', '1-90')}`, clone })).toEqual({ action: 'keep' });
  });

  it('resets and sets gtid_purged on a fresh clone that knows part of the position or nothing', () => {
    expect(planGtidStart({ covered: false, within: true, executed: '', clone })).toEqual({ action: 'reset-and-set' });
    expect(planGtidStart({ covered: false, within: true, executed: clone.replace('1-42', '1-40'), clone })).toEqual({ action: 'reset-and-set' });
  });

  it('refuses to rewrite the history of a server holding transactions outside the clone, saying what to do', () => {
    const plan = planGtidStart({ covered: false, within: false, executed: 'aaaaaaaa-0000-0000-0000-000000000001:1-3', clone });
    expect(plan).toEqual({
      action: 'refuse',
      reason: `gtid_executed (aaaaaaaa-0000-0000-0000-000000000001:1-3) holds transactions outside the clone's position (${clone}): not resetting it; rebuild this replica from a peer (delete its volume)`,
    });
  });

  it('never resets a server that has anything the clone lacks', () => {
    fc.assert(
      fc.property(fc.boolean(), fc.boolean(), (covered, within) => {
        const plan = planGtidStart({ covered, within, executed: 'x', clone });
        if (plan.action === 'reset-and-set') expect(within && !covered).toBe(true);
      }),
    );
  });
});

describe('chooseGtidStart', () => {
  it('MySQL: the clone position whenever there is one', () => {
    expect(chooseGtidStart({ flavor: 'mysql', cloneGtid: 'u:1-5', serverGtid: 'u:1-9' })).toBe('u:1-5');
    expect(chooseGtidStart({ flavor: 'mysql', cloneGtid: '', serverGtid: 'u:1-9' })).toBeUndefined();
    expect(chooseGtidStart({ flavor: 'mysql', cloneGtid: undefined, serverGtid: '' })).toBeUndefined();
  });

  it('MariaDB: the clone position only while the server has logged nothing itself', () => {
    expect(chooseGtidStart({ flavor: 'mariadb', cloneGtid: '0-100-5', serverGtid: '' })).toBe('0-100-5');
    expect(chooseGtidStart({ flavor: 'mariadb', cloneGtid: '0-100-5', serverGtid: '0-100-9' })).toBe('0-100-9');
    expect(chooseGtidStart({ flavor: 'mariadb', cloneGtid: undefined, serverGtid: '' })).toBeUndefined();
  });
});
