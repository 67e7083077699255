import { describe, expect, it } from 'vitest';
import { deriveIdentity } from '../../../src/identity/identity.js';
import { renderServerConfig } from '../../../src/identity/server-config.js';
import { parseServerVersion } from '../../../src/mysql/server-version.js';

const names = { serviceName: 'mysql', namespace: 'default', clusterDomain: 'cluster.local' };
const PLAIN = { clonePlugin: false, awaitingClone: false };
const identity = (ordinal: number) => deriveIdentity({ pod: { setName: 'mysql', ordinal }, names, serverIdOffset: 100 });

/** The `[mysqld]` options as a map, so assertions read like the file. */
function options(text: string): Map<string, string> {
  const lines = text.split('\n').filter((line) => line.includes(' = '));
  return new Map(lines.map((line) => line.split(' = ') as [string, string]));
}

describe('renderServerConfig', () => {
  it('writes a MariaDB replica read-only, with binlog, replicated updates logged and no replication at boot', () => {
    const text = renderServerConfig(identity(2), parseServerVersion('10.11.6-MariaDB'), PLAIN);
    expect(text).toContain('[mysqld]');
    expect(Object.fromEntries(options(text))).toEqual({
      server_id: '102',
      report_host: 'mysql-2.mysql.default.svc.cluster.local',
      log_bin: 'mysql-bin',
      relay_log: 'relay-bin',
      log_slave_updates: 'ON',
      binlog_format: 'ROW',
      gtid_strict_mode: 'ON',
      read_only: 'ON',
      skip_slave_start: 'ON',
      slave_net_timeout: '5',
    });
  });

  it('writes a MariaDB primary writable', () => {
    const opts = options(renderServerConfig(identity(0), parseServerVersion('11.4.2-MariaDB'), PLAIN));
    expect(opts.get('server_id')).toBe('100');
    expect(opts.get('read_only')).toBe('OFF');
    expect(opts.has('skip_slave_start')).toBe(false);
    expect(opts.has('super_read_only')).toBe(false);
  });

  it.each([
    ['8.0.36', 'log_replica_updates', 'skip_replica_start'],
    ['8.4.2', 'log_replica_updates', 'skip_replica_start'],
    ['8.0.22', 'log_slave_updates', 'skip_slave_start'],
    ['5.7.44', 'log_slave_updates', 'skip_slave_start'],
  ])('uses the option names MySQL %s knows', (version, logUpdates, skipStart) => {
    const opts = options(renderServerConfig(identity(1), parseServerVersion(version, 'mysql'), PLAIN));
    expect(opts.get(logUpdates)).toBe('ON');
    expect(opts.get(skipStart)).toBe('ON');
    expect(opts.get(skipStart.replace('skip_', '').replace('_start', '_net_timeout'))).toBe('5');
    expect(opts.get('gtid_mode')).toBe('ON');
    expect(opts.get('enforce_gtid_consistency')).toBe('ON');
    expect(opts.get('super_read_only')).toBe('ON');
    expect(opts.has('gtid_strict_mode')).toBe(false);
  });

  it('makes a MySQL primary writable, including super_read_only', () => {
    const opts = options(renderServerConfig(identity(0), parseServerVersion('8.4.2', 'mysql'), PLAIN));
    expect(opts.get('read_only')).toBe('OFF');
    expect(opts.get('super_read_only')).toBe('OFF');
  });

  it('is deterministic, so a second init run finds nothing to change', () => {
    const version = parseServerVersion('10.11.6-MariaDB');
    expect(renderServerConfig(identity(3), version, PLAIN)).toBe(renderServerConfig(identity(3), version, PLAIN));
  });

  it('loads the CLONE plugin on every pod of a set that clones with it, and only then', () => {
    const version = parseServerVersion('9.7.4', 'mysql');
    for (const ordinal of [0, 2]) {
      expect(options(renderServerConfig(identity(ordinal), version, { clonePlugin: true, awaitingClone: false })).get('plugin-load-add')).toBe('mysql_clone.so');
      expect(options(renderServerConfig(identity(ordinal), version, PLAIN)).has('plugin-load-add')).toBe(false);
    }
  });

  it.each([0, 1])('keeps a server waiting for a clone (ordinal %i) closed to clients but open to its image set-up', (ordinal) => {
    const text = renderServerConfig(identity(ordinal), parseServerVersion('9.7.4', 'mysql'), { clonePlugin: true, awaitingClone: true });
    const opts = options(text);
    expect(opts.get('read_only')).toBe('ON');
    expect(opts.get('super_read_only')).toBe('OFF');
    expect(opts.get('skip_replica_start')).toBe('ON');
    expect(opts.get('server_id')).toBe(String(100 + ordinal));
    expect(opts.get('gtid_mode')).toBe('ON');
    expect(text).toContain('waiting for a clone');
  });
});
