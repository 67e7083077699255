import { describe, expect, it } from 'vitest';
import {
  cloneInstanceStatement,
  cloneSeconds,
  donorOf,
  parseCloneStatus,
  summariseProgress,
  validDonorStatement,
} from '../../../../src/clone/clone-plugin/statements.js';

const donor = { host: 'mysql-1.mysql.shop.svc.cluster.local', port: 3306 };

describe('CLONE plugin statements', () => {
  it('allows exactly the chosen donor, by its stable name and port', () => {
    expect(validDonorStatement(donor)).toEqual({ sql: 'SET GLOBAL clone_valid_donor_list = ?', params: ['mysql-1.mysql.shop.svc.cluster.local:3306'] });
  });

  it('clones over an encrypted connection, the password a parameter (never part of the SQL text)', () => {
    const statement = cloneInstanceStatement({ ...donor, user: 'mysql_sts_clone', password: "p'w" });
    expect(statement.sql).toBe('CLONE INSTANCE FROM ?@?:? IDENTIFIED BY ? REQUIRE SSL');
    expect(statement.sql).not.toContain("p'w");
    expect(statement.params).toEqual(['mysql_sts_clone', donor.host, 3306, "p'w"]);
  });
});

describe('parseCloneStatus', () => {
  it('reads the row MySQL 9.7 keeps after the restart that completes a clone', () => {
    const status = parseCloneStatus({
      state: 'Completed',
      source: 'mysql-1.mysql.shop.svc.cluster.local:3306',
      beginTime: '2026-11-28 17:54:56.132',
      endTime: '2026-11-28 17:55:03.070',
      errorNo: 0,
      errorMessage: '',
      binlogFile: 'mysql-bin.000002',
      binlogPosition: '1001402',
      gtidExecuted: 'cc393a4a-eb54-11f1-97bc-02fc00000001:1-5,\ndd393a4a-eb54-11f1-97bc-02fc00000001:1-2',
    });
    expect(status).toMatchObject({ state: 'Completed', binlogPosition: 1001402, errorNo: 0 });
    expect(status?.gtidExecuted).toBe('cc393a4a-eb54-11f1-97bc-02fc00000001:1-5,dd393a4a-eb54-11f1-97bc-02fc00000001:1-2');
    expect(donorOf(status)).toBe('mysql-1');
    expect(cloneSeconds({ beginTime: '2026-11-28 17:54:56.132', endTime: '2026-11-28 17:55:03.070' })).toBeCloseTo(6.938, 3);
  });

  it('has nothing for a server that was never cloned, and no duration without an end', () => {
    expect(parseCloneStatus(undefined)).toBeUndefined();
    expect(donorOf(undefined)).toBeUndefined();
    expect(cloneSeconds({ beginTime: '2026-11-28 17:54:56.132', endTime: undefined })).toBe(0);
    expect(cloneSeconds({ beginTime: 'garbage', endTime: 'garbage' })).toBe(0);
  });
});

describe('summariseProgress', () => {
  const stage = (name: string, state: string, data: number, estimate: number, speed = 0) => ({ stage: name, state, data, estimate, dataSpeed: speed });

  it('sums the stages and names the first one not completed, with its speed', () => {
    const progress = summariseProgress([
      stage('DROP DATA', 'Completed', 0, 0),
      stage('FILE COPY', 'In Progress', 300, 800, 120),
      stage('PAGE COPY', 'Not Started', 0, 0),
    ]);
    expect(progress).toEqual({ stage: 'file copy', bytes: 300, estimatedBytes: 800, bytesPerSecond: 120 });
  });

  it('is done when every stage completed, and absent when there are no rows', () => {
    expect(summariseProgress([stage('FILE COPY', 'Completed', 80, 80, 5), stage('RECOVERY', 'Completed', 0, 0)])).toEqual({
      stage: 'done',
      bytes: 80,
      estimatedBytes: 80,
      bytesPerSecond: 0,
    });
    expect(summariseProgress([])).toBeUndefined();
  });
});
