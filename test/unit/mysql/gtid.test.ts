import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { gtidContains, gtidProgress, parseMariaDbGtidList, parseMySqlGtidSet } from '../../../src/mysql/gtid.js';

const uuidA = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const uuidB = 'b9b4712a-df64-11e3-b391-60672090eb04';

describe('parseMariaDbGtidList', () => {
  it('reads one GTID', () => {
    expect(parseMariaDbGtidList('0-100-42')).toEqual(new Map([[0, { serverId: 100, seq: 42 }]]));
  });

  it('reads one GTID per domain', () => {
    expect(parseMariaDbGtidList('0-100-42,1-101-7')).toEqual(
      new Map([
        [0, { serverId: 100, seq: 42 }],
        [1, { serverId: 101, seq: 7 }],
      ]),
    );
  });

  it('tolerates spaces and newlines around the members, and an empty list', () => {
    expect(parseMariaDbGtidList(' 0-1-5 ,\n 2-3-9\n')).toEqual(
      new Map([
        [0, { serverId: 1, seq: 5 }],
        [2, { serverId: 3, seq: 9 }],
      ]),
    );
    expect(parseMariaDbGtidList('')).toEqual(new Map());
    expect(parseMariaDbGtidList(' \n')).toEqual(new Map());
  });

  it('keeps the highest seq of a domain listed twice (a gtid_binlog_state has one per server)', () => {
    expect(parseMariaDbGtidList('0-100-42,0-101-50,0-102-3')).toEqual(new Map([[0, { serverId: 101, seq: 50 }]]));
  });

  it.each([
    ['0-100'],
    ['0-100-42-1'],
    ['a-b-c'],
    ['0-100-'],
    ['-1-2-3'],
    ['0 100 42'],
    [`${uuidA}:1-5`],
  ])('rejects %j', (member) => {
    expect(() => parseMariaDbGtidList(`1-1-1,${member}`)).toThrow(
      new Error(`GTID ${JSON.stringify(member)} is not domain-server-seq`),
    );
  });
});

describe('parseMySqlGtidSet', () => {
  it('reads intervals per source, as written', () => {
    expect(parseMySqlGtidSet(`${uuidA}:1-5:11-18,${uuidB}:1-7`)).toEqual(
      new Map([
        [
          uuidA,
          [
            [1, 5],
            [11, 18],
          ],
        ],
        [uuidB, [[1, 7]]],
      ]),
    );
  });

  it('reads a single transaction as a one-element interval', () => {
    expect(parseMySqlGtidSet(`${uuidA}:23`)).toEqual(new Map([[uuidA, [[23, 23]]]]));
  });

  it('lower-cases the uuid and merges members of one source', () => {
    expect(parseMySqlGtidSet(`${uuidA.toUpperCase()}:1-5,\n${uuidA}:7`)).toEqual(
      new Map([
        [
          uuidA,
          [
            [1, 5],
            [7, 7],
          ],
        ],
      ]),
    );
  });

  it('reads an empty set', () => {
    expect(parseMySqlGtidSet('')).toEqual(new Map());
  });

  it.each([
    [uuidA, `GTID set member ${JSON.stringify(uuidA)} is not uuid:interval`],
    ['0-100-42', 'GTID set member "0-100-42" is not uuid:interval'],
    ['not-a-uuid:1-5', 'GTID set member "not-a-uuid:1-5" is not uuid:interval'],
    [`${uuidA.slice(1)}:1-5`, `GTID set member ${JSON.stringify(`${uuidA.slice(1)}:1-5`)} is not uuid:interval`],
    [`${uuidA}:`, `GTID interval "" in ${JSON.stringify(`${uuidA}:`)} is not a or a-b with a <= b`],
    [`${uuidA}:a-b`, `GTID interval "a-b" in ${JSON.stringify(`${uuidA}:a-b`)} is not a or a-b with a <= b`],
    [`${uuidA}:1-`, `GTID interval "1-" in ${JSON.stringify(`${uuidA}:1-`)} is not a or a-b with a <= b`],
    [`${uuidA}:1-5-9`, `GTID interval "1-5-9" in ${JSON.stringify(`${uuidA}:1-5-9`)} is not a or a-b with a <= b`],
    [`${uuidA}:1-5::7`, `GTID interval "" in ${JSON.stringify(`${uuidA}:1-5::7`)} is not a or a-b with a <= b`],
  ])('rejects %j', (member, message) => {
    expect(() => parseMySqlGtidSet(`${uuidB}:1,${member}`)).toThrow(new Error(message));
  });
});

describe('gtidProgress', () => {
  it.each([
    ['0-100-42', 42],
    ['0-100-42,1-101-7', 49],
    ['0-100-42,0-101-50', 50],
    ['', 0],
  ])('MariaDB %j → %i', (text, progress) => {
    expect(gtidProgress(text, 'mariadb')).toBe(progress);
  });

  it.each([
    [`${uuidA}:1-5`, 5],
    [`${uuidA}:1-5,\n${uuidB}:1-7`, 12],
    [`${uuidA}:1-5:11-18`, 13],
    [`${uuidA}:9`, 1],
    [`${uuidA}:1-5,${uuidA.toUpperCase()}:6-10`, 10],
    ['', 0],
  ])('MySQL %j → %i', (text, progress) => {
    expect(gtidProgress(text, 'mysql')).toBe(progress);
  });

  it('fails on the other flavour’s syntax', () => {
    expect(() => gtidProgress(`${uuidA}:1-5`, 'mariadb')).toThrow(/is not domain-server-seq/);
    expect(() => gtidProgress('0-100-42', 'mysql')).toThrow(/is not uuid:interval/);
  });

  it('a MariaDB list (one member per domain) counts the sum of its seq numbers', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.tuple(fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 32 - 1 }), fc.nat({ max: 2 ** 40 })), {
          selector: ([domain]) => domain,
          maxLength: 10,
        }),
        fc.constantFrom(',', ', ', ',\n'),
        (members, separator) => {
          const text = members.map((m) => m.join('-')).join(separator);
          expect(gtidProgress(text, 'mariadb')).toBe(members.reduce((sum, [, , seq]) => sum + seq, 0));
        },
      ),
    );
  });

  it('a MySQL set counts the transactions in its disjoint intervals', () => {
    const intervals = fc
      .uniqueArray(fc.integer({ min: 1, max: 1000 }), { minLength: 2, maxLength: 8 })
      .map((bounds) => [...bounds].sort((a, b) => a - b))
      .map((bounds) => {
        const pairs: Array<[number, number]> = [];
        for (let i = 0; i + 1 < bounds.length; i += 2) pairs.push([bounds[i] ?? 0, bounds[i + 1] ?? 0]);
        return pairs;
      });
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.uuid(), intervals), { selector: ([u]) => u, maxLength: 4 }), (sources) => {
        const text = sources.map(([u, list]) => `${u}:${list.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`).join(',\n');
        const expected = sources.reduce((sum, [, list]) => sum + list.reduce((s, [a, b]) => s + b - a + 1, 0), 0);
        expect(gtidProgress(text, 'mysql')).toBe(expected);
      }),
    );
  });
});

describe('MySQL 8.3+ tagged GTIDs and bad intervals', () => {
  const uuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
  it('counts tagged intervals as their own source', () => {
    const set = parseMySqlGtidSet(`${uuid}:1-5:backup:1-3:7`);
    expect([...set.entries()]).toEqual([
      [uuid, [[1, 5]]],
      [`${uuid}:backup`, [[1, 3], [7, 7]]],
    ]);
    expect(gtidProgress(`${uuid}:1-5:backup:1-3:7`, 'mysql')).toBe(9);
  });
  it('rejects a reversed interval and a uuid made of dashes', () => {
    expect(() => parseMySqlGtidSet(`${uuid}:5-1`)).toThrow('is not a or a-b with a <= b');
    expect(() => parseMySqlGtidSet(`${'-'.repeat(36)}:1`)).toThrow('is not uuid:interval');
  });
});

describe('gtidContains', () => {
  it('MariaDB: every domain of the wanted position reached, whatever server_id wrote it', () => {
    expect(gtidContains('mariadb', '0-100-42', '0-100-42')).toBe(true);
    expect(gtidContains('mariadb', '0-100-43,1-100-3', '0-100-42')).toBe(true);
    expect(gtidContains('mariadb', '0-101-50', '0-100-42')).toBe(true);
    expect(gtidContains('mariadb', '0-100-41', '0-100-42')).toBe(false);
    expect(gtidContains('mariadb', '0-100-42', '0-100-42,1-100-1')).toBe(false);
    expect(gtidContains('mariadb', '', '')).toBe(true);
    expect(gtidContains('mariadb', '', '0-100-1')).toBe(false);
  });

  it('MySQL: intervals covered by the union of the same source, gaps and other sources do not count', () => {
    expect(gtidContains('mysql', `${uuidA}:1-10`, `${uuidA}:1-10`)).toBe(true);
    expect(gtidContains('mysql', `${uuidA}:1-5:6-10`, `${uuidA}:3-8`)).toBe(true);
    expect(gtidContains('mysql', `${uuidA}:1-5:7-10`, `${uuidA}:3-8`)).toBe(false);
    expect(gtidContains('mysql', `${uuidA}:1-10,${uuidB}:1-3`, `${uuidA}:1-10`)).toBe(true);
    expect(gtidContains('mysql', `${uuidB}:1-10`, `${uuidA}:1`)).toBe(false);
    expect(gtidContains('mysql', `${uuidA}:1-10`, `${uuidA}:1-11`)).toBe(false);
    expect(gtidContains('mysql', `${uuidA}:1-10`, '')).toBe(true);
    expect(gtidContains('mysql', `${uuidA}:tag:1-3`, `${uuidA}:1-3`)).toBe(false);
  });

  it('MySQL: a set contains exactly the subsets of its transactions (model: sets of numbers)', () => {
    const set = fc.uniqueArray(fc.integer({ min: 1, max: 40 }), { maxLength: 40 });
    fc.assert(
      fc.property(set, set, (have, want) => {
        const text = (numbers: number[]) => (numbers.length === 0 ? '' : `${uuidA}:${[...numbers].sort((a, b) => a - b).join(':')}`);
        expect(gtidContains('mysql', text(have), text(want))).toBe(want.every((n) => have.includes(n)));
      }),
    );
  });

  it('MariaDB: every domain of the inner list at or below the outer seq_no', () => {
    expect(gtidContains('mariadb', '0-100-500,1-101-7', '0-101-499,1-101-7')).toBe(true);
    expect(gtidContains('mariadb', '0-100-12', '0-101-500')).toBe(false);
    expect(gtidContains('mariadb', '0-100-500', '0-100-1,2-102-1')).toBe(false);
    expect(gtidContains('mariadb', '', '')).toBe(true);
    expect(gtidContains('mariadb', '', '0-100-1')).toBe(false);
  });

  it('MySQL: agrees with a transaction-by-transaction model', () => {
    const intervals = fc.array(fc.tuple(fc.integer({ min: 1, max: 30 }), fc.integer({ min: 0, max: 6 })), { maxLength: 4 });
    const text = (list: Array<[number, number]>) => list.map(([from, length]) => `${uuidA}:${from}-${from + length}`).join(',');
    const model = (list: Array<[number, number]>) => new Set(list.flatMap(([from, length]) => Array.from({ length: length + 1 }, (_, i) => from + i)));
    fc.assert(
      fc.property(intervals, intervals, (outer, inner) => {
        const have = model(outer);
        expect(gtidContains('mysql', text(outer), text(inner))).toBe([...model(inner)].every((n) => have.has(n)));
      }),
    );
    expect(gtidContains('mysql', `${uuidA}:1-10`, `${uuidB}:1`)).toBe(false);
  });
});
