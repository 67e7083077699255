import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatPodName, parsePodName } from '../../../src/identity/pod-name.js';

/** Set names as Kubernetes allows them in pod names: DNS labels, leaving room for `-<ordinal>`. */
const setName = fc
  .stringMatching(/^[a-z0-9]([-a-z0-9]{0,40}[a-z0-9])?$/)
  .filter((name) => name.length <= 50);

describe('parsePodName', () => {
  it('round-trips any <set>-<ordinal>', () => {
    fc.assert(
      fc.property(setName, fc.nat({ max: 1_000_000_000 }), (set, ordinal) => {
        const name = `${set}-${ordinal}`;
        expect(parsePodName(name)).toEqual({ setName: set, ordinal });
        expect(formatPodName(parsePodName(name))).toBe(name);
      }),
    );
  });

  it('rejects anything without a trailing ordinal, with a message that shows the expected form', () => {
    const withoutOrdinal = fc.string().filter((name) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?-(0|[1-9][0-9]*)$/.test(name));
    fc.assert(
      fc.property(withoutOrdinal, (name) => {
        expect(() => parsePodName(name)).toThrow(/expected <statefulset>-<ordinal> such as mysql-0/);
      }),
    );
  });

  it.each([
    ['', /empty/],
    ['mysql', /has no ordinal/],
    ['mysql-', /not a DNS label/],
    ['-1', /not a DNS label/],
    ['mysql-01', /has no ordinal/],
    ['mysql-x', /has no ordinal/],
    ['MySQL-0', /not a DNS label/],
    ['my_sql-0', /not a DNS label/],
    [`${'a'.repeat(62)}-0`, /not a DNS label/],
  ])('rejects %j', (name, message) => {
    expect(() => parsePodName(name)).toThrow(message);
  });

  it('takes the digits after the last dash as the ordinal', () => {
    expect(parsePodName('db-2-0')).toEqual({ setName: 'db-2', ordinal: 0 });
    expect(parsePodName('mysql-12')).toEqual({ setName: 'mysql', ordinal: 12 });
  });
});
