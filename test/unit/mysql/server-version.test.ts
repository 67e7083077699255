import { describe, expect, it } from 'vitest';
import { parseServerVersion, versionAtLeast } from '../../../src/mysql/server-version.js';

describe('parseServerVersion', () => {
  it.each([
    ['8.0.36', 'mysql', 8, 0, 36],
    ['8.4.2-log', 'mysql', 8, 4, 2],
    ['10.11.6-MariaDB-0+deb12u1-log', 'mariadb', 10, 11, 6],
    ['5.5.5-10.6.16-MariaDB', 'mariadb', 10, 6, 16],
    ['8.4', 'mysql', 8, 4, 0],
    ['11.4', 'mariadb', 11, 4, 0],
  ])('parses %j', (text, flavor, major, minor, patch) => {
    expect(parseServerVersion(text)).toEqual({ flavor, major, minor, patch });
  });

  it('rejects text that is no version', () => {
    expect(() => parseServerVersion('latest')).toThrow(/not of the form/);
  });

  it('compares versions', () => {
    const v = parseServerVersion('8.0.26');
    expect(versionAtLeast(v, 8, 0, 26)).toBe(true);
    expect(versionAtLeast(v, 8, 0, 27)).toBe(false);
    expect(versionAtLeast(v, 5, 7)).toBe(true);
    expect(versionAtLeast(v, 8, 4)).toBe(false);
  });
});
