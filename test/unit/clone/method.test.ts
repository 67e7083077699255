import { describe, expect, it } from 'vitest';
import { resolveCloneMethod } from '../../../src/clone/method.js';
import { parseServerVersion } from '../../../src/mysql/server-version.js';

describe('resolveCloneMethod', () => {
  it.each([
    ['9.7.4', 'mysql', 'clone-plugin'],
    ['8.4', 'mysql', 'clone-plugin'],
    ['8.0.17', 'mysql', 'clone-plugin'],
    ['8.0.16', 'mysql', 'backup-stream'],
    ['5.7.44', 'mysql', 'backup-stream'],
    ['10.11.6-MariaDB', 'mariadb', 'backup-stream'],
  ] as const)('auto on %s (%s) is %s', (version, flavor, expected) => {
    expect(resolveCloneMethod('auto', parseServerVersion(version, flavor))).toBe(expected);
  });

  it('takes an explicit choice the server can do', () => {
    expect(resolveCloneMethod('backup-stream', parseServerVersion('9.7', 'mysql'))).toBe('backup-stream');
    expect(resolveCloneMethod('clone-plugin', parseServerVersion('8.0.36', 'mysql'))).toBe('clone-plugin');
  });

  it('refuses the CLONE plugin where the server has none, saying what to use', () => {
    expect(() => resolveCloneMethod('clone-plugin', parseServerVersion('10.11', 'mariadb'))).toThrow(
      'CLONE_METHOD=clone-plugin needs MySQL 8.0.17 or later, not MariaDB 10.11.0: use backup-stream',
    );
    expect(() => resolveCloneMethod('clone-plugin', parseServerVersion('8.0.16', 'mysql'))).toThrow(/not MySQL 8\.0\.16/);
  });
});
