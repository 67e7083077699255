import { describe, expect, it } from 'vitest';
import { formatStatus } from '../../../src/cli/status.js';
import type { StatusDocument } from '../../../src/http/status-document.js';

const base: StatusDocument = {
  pod: 'mysql-1',
  set: { statefulSet: 'mysql', service: 'mysql', namespace: 'default' },
  role: 'replica',
  serverId: 101,
  reportHost: 'mysql-1.mysql.default.svc.cluster.local',
  podIp: '198.18.0.11',
  agentVersion: '0.1.0',
  startedAt: '2026-11-21T06:00:00.000Z',
  ready: false,
  reasons: ['lag unknown: no heartbeat received yet', 'the IO thread is not running (Connecting)'],
  dataDir: 'initialized',
  server: { up: true, version: '10.11.19-MariaDB', flavor: 'mariadb', readOnly: true, gtidPosition: '0-100-42', error: null, checkedAt: null },
  replication: {
    ioRunning: false,
    ioState: 'Connecting',
    sqlRunning: true,
    sourceHost: 'mysql-0.mysql.default.svc.cluster.local',
    sourcePort: 3306,
    secondsBehind: null,
    lastIoErrno: 2003,
    lastIoError: "Can't connect",
    lastSqlErrno: 0,
    lastSqlError: '',
    sqlDelay: 0,
    retrievedGtid: '0-100-42',
    executedGtid: '',
  },
  lag: { known: false, seconds: null, reason: 'no heartbeat received yet', method: 'heartbeat', note: null },
  errant: null,
  heartbeat: null,
  lastError: null,
  cloning: null,
  clone: { donor: 'mysql-0', coordinates: { gtid: '0-100-40', binlogFile: 'mysql-bin.000001', binlogPosition: 328 }, bytes: 17_825_792, seconds: 0.7, finishedAt: '2026-11-21T05:59:00.000Z' },
};

describe('formatStatus', () => {
  it('says first whether the pod is ready and why not, then server, replication, lag and origin', () => {
    expect(formatStatus(base)).toBe(
      [
        'mysql-1 (replica, server_id 101): NOT READY',
        '  - lag unknown: no heartbeat received yet',
        '  - the IO thread is not running (Connecting)',
        'server:      10.11.19-MariaDB, read-only, GTID 0-100-42',
        'replication: IO Connecting, SQL Yes, source mysql-0.mysql.default.svc.cluster.local:3306',
        "  last IO error 2003: Can't connect",
        'lag:         unknown (no heartbeat received yet) by heartbeat; Seconds_Behind NULL',
        'clone:       from mysql-0, 17 MB in 0.7 s (2026-11-21T05:59:00.000Z)',
        'agent:       0.1.0, up since 2026-11-21T06:00:00.000Z, mysql-1.mysql.default.svc.cluster.local',
        '',
      ].join('\n'),
    );
  });

  it('shows a ready primary with its heartbeat and a known lag never as unknown', () => {
    const primary = formatStatus({ ...base, pod: 'mysql-0', role: 'primary', serverId: 100, ready: true, reasons: [], replication: null, lag: null, heartbeat: { writes: 12, failures: 0 }, clone: null, dataDir: 'unmarked-data' });
    expect(primary).toContain('mysql-0 (primary, server_id 100): READY\n');
    expect(primary).toContain('heartbeat:   12 written, 0 failed');
    expect(primary).not.toContain('replication:');
    const lagging = formatStatus({ ...base, lag: { known: true, seconds: 12.34, reason: null, method: 'heartbeat', note: null } });
    expect(lagging).toContain('lag:         12.3 s by heartbeat');
    const note = "the server's Seconds_Behind 20 s is above the heartbeat's 0.3 s: the larger is reported";
    const corrected = formatStatus({ ...base, lag: { known: true, seconds: 20, reason: null, method: 'seconds-behind', note } });
    expect(corrected).toContain(`lag:         20.0 s by seconds-behind; Seconds_Behind NULL\n  ${note}\n`);
  });
});
