import type { ReplicaStatus } from '../../src/mysql/replica-status.js';

/** A replica status with both threads running, no error and no delay; tests override what they are about. */
export function healthyReplicaStatus(overrides: Partial<ReplicaStatus> = {}): ReplicaStatus {
  return {
    ioRunning: true,
    ioState: 'Yes',
    sqlRunning: true,
    sourceHost: 'mysql-0.mysql.default.svc.cluster.local',
    sourcePort: 3306,
    secondsBehind: 0,
    lastIoErrno: 0,
    lastIoError: '',
    lastSqlErrno: 0,
    lastSqlError: '',
    sqlDelay: 0,
    retrievedGtid: '',
    executedGtid: '',
    ...overrides,
  };
}
