import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { errantCount, findErrant } from '../../../src/replication/errant.js';

const PRIMARY_ID = 100;
const primaryUuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const replicaUuid = 'b9b4712a-df64-11e3-b391-60672090eb04';
const otherUuid = '00022739-2222-2222-2222-222222222222';

function mariaDb(position: string, primaryServerId = PRIMARY_ID): string | undefined {
  return findErrant({ flavor: 'mariadb', position, primaryServerId, ownServerUuid: undefined });
}

function mySql(position: string, ownServerUuid: string | undefined = replicaUuid): string | undefined {
  return findErrant({ flavor: 'mysql', position, primaryServerId: PRIMARY_ID, ownServerUuid });
}

describe('findErrant: MariaDB gtid_binlog_pos', () => {
  it('everything from the primary (server_id 100) is not errant', () => {
    expect(mariaDb('0-100-42')).toBeUndefined();
  });

  it('a GTID this replica wrote (another server_id) is errant', () => {
    expect(mariaDb('0-101-43')).toBe('0-101-43');
  });

  it('several domains: only those whose last GTID is not the primary’s', () => {
    expect(mariaDb('0-100-42,1-101-7,2-102-3')).toBe('1-101-7,2-102-3');
    expect(mariaDb('0-100-42,1-100-9')).toBeUndefined();
    expect(mariaDb('0-101-5,1-100-9')).toBe('0-101-5');
  });

  it('tolerates the whitespace servers print', () => {
    expect(mariaDb(' 0-100-42,\n1-101-7 ')).toBe('1-101-7');
  });

  it('an empty position has nothing errant', () => {
    expect(mariaDb('')).toBeUndefined();
    expect(mariaDb('  \n')).toBeUndefined();
  });

  it('compares with the primary id it is given', () => {
    expect(mariaDb('0-100-42', 200)).toBe('0-100-42');
    expect(mariaDb('0-200-42', 200)).toBeUndefined();
  });

  it('ignores a server_uuid (MariaDB has none in its GTIDs)', () => {
    expect(findErrant({ flavor: 'mariadb', position: '0-100-42', primaryServerId: PRIMARY_ID, ownServerUuid: replicaUuid })).toBeUndefined();
  });
});

describe('findErrant: MySQL gtid_executed', () => {
  it('the replica’s own server_uuid intervals are errant', () => {
    expect(mySql(`${primaryUuid}:1-500,\n${replicaUuid}:1-3`)).toBe(`${replicaUuid}:1-3`);
  });

  it('keeps every interval of the own uuid, as written', () => {
    expect(mySql(`${primaryUuid}:1-500,\n${replicaUuid}:1-3:5:7-9`)).toBe(`${replicaUuid}:1-3:5:7-9`);
    expect(mySql(`${replicaUuid}:4`)).toBe(`${replicaUuid}:4`);
  });

  it('tagged GTIDs (uuid:tag:1-3) of the own uuid are errant', () => {
    expect(mySql(`${primaryUuid}:1-500,\n${replicaUuid}:maint:1-3`)).toBe(`${replicaUuid}:maint:1-3`);
  });

  it('untagged and tagged GTIDs of the own uuid are both reported', () => {
    const errant = mySql(`${primaryUuid}:1-500,\n${replicaUuid}:1-2:maint:1-3`);
    expect(errant?.split(',').sort()).toEqual([`${replicaUuid}:1-2`, `${replicaUuid}:maint:1-3`].sort());
  });

  it('GTIDs of other uuids (the primary, an old primary), tagged or not, are not errant', () => {
    expect(mySql(`${primaryUuid}:1-500`)).toBeUndefined();
    expect(mySql(`${primaryUuid}:1-500,\n${otherUuid}:1-2`)).toBeUndefined();
    expect(mySql(`${primaryUuid}:1-500:heartbeat:1-9`)).toBeUndefined();
  });

  it('matches the uuid whatever its case', () => {
    expect(mySql(`${primaryUuid}:1-5,${replicaUuid}:1-3`, replicaUuid.toUpperCase())).toBe(`${replicaUuid}:1-3`);
    expect(mySql(`${primaryUuid}:1-5,${replicaUuid.toUpperCase()}:1-3`)).toBe(`${replicaUuid}:1-3`);
  });

  it('an empty gtid_executed has nothing errant', () => {
    expect(mySql('')).toBeUndefined();
    expect(mySql('\n')).toBeUndefined();
  });

  it('without the own uuid there is nothing to compare against', () => {
    expect(findErrant({ flavor: 'mysql', position: `${replicaUuid}:1-3`, primaryServerId: PRIMARY_ID, ownServerUuid: undefined })).toBeUndefined();
  });
});

describe('errantCount', () => {
  it('nothing errant counts 0 for both flavours', () => {
    expect(errantCount('mysql', undefined)).toBe(0);
    expect(errantCount('mariadb', undefined)).toBe(0);
  });

  it('MySQL: the number of transactions in the intervals', () => {
    expect(errantCount('mysql', `${replicaUuid}:1-3`)).toBe(3);
    expect(errantCount('mysql', `${replicaUuid}:4`)).toBe(1);
    expect(errantCount('mysql', `${replicaUuid}:1-3:5:7-9`)).toBe(7);
    expect(errantCount('mysql', `${replicaUuid}:1-2,${replicaUuid}:maint:1-3`)).toBe(5);
  });

  it('MariaDB: one per domain (the position names only the last GTID of each, so this is a lower bound)', () => {
    expect(errantCount('mariadb', '0-101-43')).toBe(1);
    expect(errantCount('mariadb', '1-101-7,2-102-3')).toBe(2);
  });

  it('counts what findErrant returns', () => {
    expect(errantCount('mysql', mySql(`${primaryUuid}:1-500,\n${replicaUuid}:1-3:10-19,${replicaUuid}:maint:1`))).toBe(14);
    expect(errantCount('mysql', mySql(`${primaryUuid}:1-500`))).toBe(0);
    expect(errantCount('mariadb', mariaDb('0-100-42,1-101-7,2-102-3'))).toBe(2);
    expect(errantCount('mariadb', mariaDb('0-100-42'))).toBe(0);
  });
});

describe('findErrant and errantCount: properties', () => {
  it('MariaDB: exactly the domains whose last GTID is not from the primary', () => {
    const entry = fc.record({
      domain: fc.integer({ min: 0, max: 1000 }),
      serverId: fc.constantFrom(PRIMARY_ID, 101, 102, 4_294_967_295),
      seq: fc.integer({ min: 1, max: 1_000_000_000 }),
    });
    fc.assert(
      fc.property(fc.uniqueArray(entry, { selector: (e) => e.domain, maxLength: 8 }), (entries) => {
        const position = entries.map((e) => `${e.domain}-${e.serverId}-${e.seq}`).join(',');
        const expected = entries.filter((e) => e.serverId !== PRIMARY_ID).map((e) => `${e.domain}-${e.serverId}-${e.seq}`);
        const errant = mariaDb(position);
        if (expected.length === 0) expect(errant).toBeUndefined();
        else expect(errant?.split(',').sort()).toEqual(expected.sort());
        expect(errantCount('mariadb', errant)).toBe(expected.length);
      }),
    );
  });

  /** Disjoint, increasing, non-adjacent intervals, as gtid_executed prints them. */
  const intervals = fc
    .array(fc.tuple(fc.integer({ min: 1, max: 50 }), fc.integer({ min: 0, max: 50 })), { minLength: 1, maxLength: 5 })
    .map((steps) => {
      const result: Array<[number, number]> = [];
      let end = 0;
      for (const [gap, length] of steps) {
        const from = end + gap + 1;
        end = from + length;
        result.push([from, end]);
      }
      return result;
    });
  const format = (list: ReadonlyArray<readonly [number, number]>): string => list.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':');
  const size = (list: ReadonlyArray<readonly [number, number]>): number => list.reduce((sum, [a, b]) => sum + b - a + 1, 0);

  it('MySQL: exactly the own uuid’s intervals, and errantCount is their size', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.option(intervals, { nil: undefined }),
        fc.array(fc.tuple(fc.uuid(), intervals), { maxLength: 4 }),
        (own, ownIntervals, others) => {
          const foreign = others.filter(([uuid]) => uuid !== own);
          const members = foreign.map(([uuid, list]) => `${uuid}:${format(list)}`);
          if (ownIntervals !== undefined) members.splice(Math.min(1, members.length), 0, `${own}:${format(ownIntervals)}`);
          const errant = mySql(members.join(',\n'), own);
          if (ownIntervals === undefined) {
            expect(errant).toBeUndefined();
            expect(errantCount('mysql', errant)).toBe(0);
          } else {
            expect(errant).toBe(`${own.toLowerCase()}:${format(ownIntervals)}`);
            expect(errantCount('mysql', errant)).toBe(size(ownIntervals));
          }
        },
      ),
    );
  });
});
