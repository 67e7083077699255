import { describe, expect, it } from 'vitest';
import { serverIdentityFault } from '../../../src/identity/server-identity.js';

describe('the running server against the identity config', () => {
  const expected = { serverId: 101, confDir: '/etc/mysql/conf.d' };

  it('accepts the server_id init wrote', () => {
    expect(serverIdentityFault(expected, 101)).toBeUndefined();
  });

  it('names both ids, the file and the fix when the server never read it', () => {
    // MySQL's default server_id is 1, MariaDB's 1 as well; 100 is the primary's under the default offset.
    for (const running of [1, 0, 100, 102]) {
      expect(serverIdentityFault(expected, running)).toBe(
        `the server runs with server_id ${running}, not 101 as /etc/mysql/conf.d/mysql-sts-agent.cnf says: it did not read the identity config; make CONF_DIR the directory the server includes, then restart the server`,
      );
    }
  });
});
