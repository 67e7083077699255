import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseReplicaStatus, type ReplicaStatus } from '../../../src/mysql/replica-status.js';

/**
 * Rows as mysql2 returns them (integer columns as numbers, NULL as null), with
 * every column the server sends, so a parser that picks the wrong name of two
 * similar ones (Last_Errno vs Last_IO_Errno, Master_Host vs Source_Host) fails.
 */

const primaryUuid = '3e11fa47-71ca-11e1-9e33-c80aa9429562';
const replicaUuid = 'b9b4712a-df64-11e3-b391-60672090eb04';
const host = 'mysql-0.mysql.db.svc.cluster.local';

/** MySQL 5.7.44: SHOW SLAVE STATUS. */
function mysql57Row(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Slave_IO_State: 'Waiting for master to send event',
    Master_Host: host,
    Master_User: 'repl',
    Master_Port: 3306,
    Connect_Retry: 2,
    Master_Log_File: 'mysql-bin.000003',
    Read_Master_Log_Pos: 194,
    Relay_Log_File: 'mysql-1-relay-bin.000002',
    Relay_Log_Pos: 367,
    Relay_Master_Log_File: 'mysql-bin.000003',
    Slave_IO_Running: 'Yes',
    Slave_SQL_Running: 'Yes',
    Replicate_Do_DB: '',
    Replicate_Ignore_DB: '',
    Replicate_Do_Table: '',
    Replicate_Ignore_Table: '',
    Replicate_Wild_Do_Table: '',
    Replicate_Wild_Ignore_Table: '',
    Last_Errno: 0,
    Last_Error: '',
    Skip_Counter: 0,
    Exec_Master_Log_Pos: 194,
    Relay_Log_Space: 576,
    Until_Condition: 'None',
    Until_Log_File: '',
    Until_Log_Pos: 0,
    Master_SSL_Allowed: 'No',
    Master_SSL_CA_File: '',
    Master_SSL_CA_Path: '',
    Master_SSL_Cert: '',
    Master_SSL_Cipher: '',
    Master_SSL_Key: '',
    Seconds_Behind_Master: 0,
    Master_SSL_Verify_Server_Cert: 'No',
    Last_IO_Errno: 0,
    Last_IO_Error: '',
    Last_SQL_Errno: 0,
    Last_SQL_Error: '',
    Replicate_Ignore_Server_Ids: '',
    Master_Server_Id: 100,
    Master_UUID: primaryUuid,
    Master_Info_File: 'mysql.slave_master_info',
    SQL_Delay: 0,
    SQL_Remaining_Delay: null,
    Slave_SQL_Running_State: 'Slave has read all relay log; waiting for more updates',
    Master_Retry_Count: 86400,
    Master_Bind: '',
    Last_IO_Error_Timestamp: '',
    Last_SQL_Error_Timestamp: '',
    Master_SSL_Crl: '',
    Master_SSL_Crlpath: '',
    Retrieved_Gtid_Set: `${primaryUuid}:1-42`,
    Executed_Gtid_Set: `${primaryUuid}:1-42`,
    Auto_Position: 1,
    Replicate_Rewrite_DB: '',
    Channel_Name: '',
    Master_TLS_Version: '',
    ...overrides,
  };
}

/** MySQL 8.0.22+ and 8.4: SHOW REPLICA STATUS. */
function mysql84Row(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Replica_IO_State: 'Waiting for source to send event',
    Source_Host: host,
    Source_User: 'repl',
    Source_Port: 3306,
    Connect_Retry: 2,
    Source_Log_File: 'binlog.000002',
    Read_Source_Log_Pos: 15_230,
    Relay_Log_File: 'mysql-1-relay-bin.000004',
    Relay_Log_Pos: 9_876,
    Relay_Source_Log_File: 'binlog.000002',
    Replica_IO_Running: 'Yes',
    Replica_SQL_Running: 'Yes',
    Replicate_Do_DB: '',
    Replicate_Ignore_DB: '',
    Replicate_Do_Table: '',
    Replicate_Ignore_Table: '',
    Replicate_Wild_Do_Table: '',
    Replicate_Wild_Ignore_Table: '',
    Last_Errno: 0,
    Last_Error: '',
    Skip_Counter: 0,
    Exec_Source_Log_Pos: 15_230,
    Relay_Log_Space: 10_312,
    Until_Condition: 'None',
    Until_Log_File: '',
    Until_Log_Pos: 0,
    Source_SSL_Allowed: 'No',
    Source_SSL_CA_File: '',
    Source_SSL_CA_Path: '',
    Source_SSL_Cert: '',
    Source_SSL_Cipher: '',
    Source_SSL_Key: '',
    Seconds_Behind_Source: 3,
    Source_SSL_Verify_Server_Cert: 'No',
    Last_IO_Errno: 0,
    Last_IO_Error: '',
    Last_SQL_Errno: 0,
    Last_SQL_Error: '',
    Replicate_Ignore_Server_Ids: '',
    Source_Server_Id: 100,
    Source_UUID: primaryUuid,
    Source_Info_File: 'mysql.slave_master_info',
    SQL_Delay: 0,
    SQL_Remaining_Delay: null,
    Replica_SQL_Running_State: 'Replica has read all relay log; waiting for more updates',
    Source_Retry_Count: 86400,
    Source_Bind: '',
    Last_IO_Error_Timestamp: '',
    Last_SQL_Error_Timestamp: '',
    Source_SSL_Crl: '',
    Source_SSL_Crlpath: '',
    Retrieved_Gtid_Set: `${primaryUuid}:5-120`,
    Executed_Gtid_Set: `${primaryUuid}:1-118,\n${replicaUuid}:1-3`,
    Auto_Position: 1,
    Replicate_Rewrite_DB: '',
    Channel_Name: '',
    Source_TLS_Version: '',
    Source_public_key_path: '',
    Get_Source_public_key: 1,
    Network_Namespace: '',
    ...overrides,
  };
}

/** MariaDB 10.11: SHOW REPLICA STATUS keeps the Slave_/Master_ names and adds the GTID columns. */
function mariaDbRow(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Slave_IO_State: 'Waiting for master to send event',
    Master_Host: host,
    Master_User: 'repl',
    Master_Port: 3306,
    Connect_Retry: 2,
    Master_Log_File: 'mysql-0-bin.000002',
    Read_Master_Log_Pos: 4_412,
    Relay_Log_File: 'mysql-1-relay-bin.000003',
    Relay_Log_Pos: 1_024,
    Relay_Master_Log_File: 'mysql-0-bin.000002',
    Slave_IO_Running: 'Yes',
    Slave_SQL_Running: 'Yes',
    Replicate_Rewrite_DB: '',
    Replicate_Do_DB: '',
    Replicate_Ignore_DB: '',
    Replicate_Do_Table: '',
    Replicate_Ignore_Table: '',
    Replicate_Wild_Do_Table: '',
    Replicate_Wild_Ignore_Table: '',
    Last_Errno: 0,
    Last_Error: '',
    Skip_Counter: 0,
    Exec_Master_Log_Pos: 4_412,
    Relay_Log_Space: 1_634,
    Until_Condition: 'None',
    Until_Log_File: '',
    Until_Log_Pos: 0,
    Master_SSL_Allowed: 'Yes',
    Master_SSL_CA_File: '',
    Master_SSL_CA_Path: '',
    Master_SSL_Cert: '',
    Master_SSL_Cipher: '',
    Master_SSL_Key: '',
    Seconds_Behind_Master: 1,
    Master_SSL_Verify_Server_Cert: 'No',
    Last_IO_Errno: 0,
    Last_IO_Error: '',
    Last_SQL_Errno: 0,
    Last_SQL_Error: '',
    Replicate_Ignore_Server_Ids: '',
    Master_Server_Id: 100,
    Master_SSL_Crl: '',
    Master_SSL_Crlpath: '',
    Using_Gtid: 'Slave_Pos',
    Gtid_IO_Pos: '0-100-4711',
    Replicate_Do_Domain_Ids: '',
    Replicate_Ignore_Domain_Ids: '',
    Parallel_Mode: 'optimistic',
    SQL_Delay: 0,
    SQL_Remaining_Delay: null,
    Slave_SQL_Running_State: 'Slave has read all relay log; waiting for more updates',
    Slave_DDL_Groups: 7,
    Slave_Non_Transactional_Groups: 0,
    Slave_Transactional_Groups: 4_704,
    ...overrides,
  };
}

const healthy = {
  ioRunning: true,
  ioState: 'Yes',
  sqlRunning: true,
  sourceHost: host,
  sourcePort: 3306,
  lastIoErrno: 0,
  lastIoError: '',
  lastSqlErrno: 0,
  lastSqlError: '',
  sqlDelay: 0,
} as const;

describe('parseReplicaStatus: full rows of each server family', () => {
  it('reads MySQL 5.7 SHOW SLAVE STATUS', () => {
    expect(parseReplicaStatus(mysql57Row(), 'mysql')).toEqual<ReplicaStatus>({
      ...healthy,
      secondsBehind: 0,
      retrievedGtid: `${primaryUuid}:1-42`,
      executedGtid: `${primaryUuid}:1-42`,
    });
  });

  it('reads MySQL 8.0.22+/8.4 SHOW REPLICA STATUS (Replica_*, Source_*, Seconds_Behind_Source), GTID sets without newlines', () => {
    expect(parseReplicaStatus(mysql84Row(), 'mysql')).toEqual<ReplicaStatus>({
      ...healthy,
      secondsBehind: 3,
      retrievedGtid: `${primaryUuid}:5-120`,
      executedGtid: `${primaryUuid}:1-118,${replicaUuid}:1-3`,
    });
  });

  it('reads MariaDB 10.11 SHOW REPLICA STATUS (old names, Gtid_IO_Pos as the retrieved position, no executed set)', () => {
    expect(parseReplicaStatus(mariaDbRow(), 'mariadb')).toEqual<ReplicaStatus>({
      ...healthy,
      secondsBehind: 1,
      retrievedGtid: '0-100-4711',
      executedGtid: '',
    });
  });

  it('reads a MariaDB position of several domains, dropping the whitespace', () => {
    const status = parseReplicaStatus(mariaDbRow({ Gtid_IO_Pos: '0-100-4711,\n1-100-12' }), 'mariadb');
    expect(status?.retrievedGtid).toBe('0-100-4711,1-100-12');
  });

  it('reads a long MySQL Executed_Gtid_Set as the server wraps it (",\\n" between members)', () => {
    const executed = `${primaryUuid}:1-1000,\n${replicaUuid}:1-3:5-9,\n${primaryUuid.replace('3e', '4f')}:1`;
    const status = parseReplicaStatus(mysql84Row({ Executed_Gtid_Set: executed, Retrieved_Gtid_Set: '' }), 'mysql');
    expect(status?.executedGtid).toBe(`${primaryUuid}:1-1000,${replicaUuid}:1-3:5-9,${primaryUuid.replace('3e', '4f')}:1`);
    expect(status?.retrievedGtid).toBe('');
  });

  it('reads the source port and the SQL delay', () => {
    expect(parseReplicaStatus(mysql84Row({ Source_Port: 3307, SQL_Delay: 600 }), 'mysql')).toMatchObject({ sourcePort: 3307, sqlDelay: 600 });
    expect(parseReplicaStatus(mysql57Row({ Master_Port: 13306, SQL_Delay: 30 }), 'mysql')).toMatchObject({ sourcePort: 13306, sqlDelay: 30 });
    expect(parseReplicaStatus(mariaDbRow({ Master_Port: 3310, SQL_Delay: 5 }), 'mariadb')).toMatchObject({ sourcePort: 3310, sqlDelay: 5 });
  });
});

describe('parseReplicaStatus: unknown is not zero', () => {
  it.each([
    ['MySQL 5.7', mysql57Row({ Seconds_Behind_Master: null }), 'mysql'],
    ['MySQL 8.4', mysql84Row({ Seconds_Behind_Source: null }), 'mysql'],
    ['MariaDB 10.11', mariaDbRow({ Seconds_Behind_Master: null }), 'mariadb'],
  ] as const)('%s: NULL Seconds_Behind is null, never 0', (_name, row, flavor) => {
    const status = parseReplicaStatus(row, flavor);
    expect(status?.secondsBehind).toBeNull();
    expect(status?.secondsBehind).not.toBe(0);
  });

  it('a real 0 stays 0 and a number sent as text is read as a number', () => {
    expect(parseReplicaStatus(mysql84Row({ Seconds_Behind_Source: 0 }), 'mysql')?.secondsBehind).toBe(0);
    expect(parseReplicaStatus(mysql84Row({ Seconds_Behind_Source: '17' }), 'mysql')?.secondsBehind).toBe(17);
    expect(parseReplicaStatus(mariaDbRow({ Seconds_Behind_Master: 86_400 }), 'mariadb')?.secondsBehind).toBe(86_400);
  });
});

describe('parseReplicaStatus: threads and errors', () => {
  const connectError =
    "error connecting to master 'repl@mysql-0.mysql.db.svc.cluster.local:3306' - retry-time: 2 retries: 3 message: " +
    "Can't connect to MySQL server on 'mysql-0.mysql.db.svc.cluster.local:3306' (111)";

  it('MySQL 8.4: a Connecting IO thread is not running, and its state is kept as "Connecting"', () => {
    const row = mysql84Row({
      Replica_IO_State: 'Connecting to source',
      Replica_IO_Running: 'Connecting',
      Seconds_Behind_Source: null,
      Last_IO_Errno: 2003,
      Last_IO_Error: connectError,
      Last_IO_Error_Timestamp: '261121 06:00:01',
    });
    expect(parseReplicaStatus(row, 'mysql')).toEqual<ReplicaStatus>({
      ...healthy,
      ioRunning: false,
      ioState: 'Connecting',
      secondsBehind: null,
      lastIoErrno: 2003,
      lastIoError: connectError,
      retrievedGtid: `${primaryUuid}:5-120`,
      executedGtid: `${primaryUuid}:1-118,${replicaUuid}:1-3`,
    });
  });

  it('MariaDB and MySQL 5.7: Connecting under the old column name', () => {
    for (const [row, flavor] of [
      [mariaDbRow({ Slave_IO_Running: 'Connecting', Seconds_Behind_Master: null }), 'mariadb'],
      [mysql57Row({ Slave_IO_Running: 'Connecting', Seconds_Behind_Master: null }), 'mysql'],
    ] as const) {
      expect(parseReplicaStatus(row, flavor)).toMatchObject({ ioRunning: false, ioState: 'Connecting', sqlRunning: true, secondsBehind: null });
    }
  });

  it('stopped threads read as not running with state "No"', () => {
    expect(
      parseReplicaStatus(mysql84Row({ Replica_IO_Running: 'No', Replica_SQL_Running: 'No', Seconds_Behind_Source: null }), 'mysql'),
    ).toMatchObject({ ioRunning: false, ioState: 'No', sqlRunning: false, secondsBehind: null });
    expect(parseReplicaStatus(mysql57Row({ Slave_SQL_Running: 'No' }), 'mysql')).toMatchObject({ ioRunning: true, sqlRunning: false });
    expect(parseReplicaStatus(mariaDbRow({ Slave_SQL_Running: 'No' }), 'mariadb')).toMatchObject({ ioRunning: true, sqlRunning: false });
  });

  it('MySQL 8.4: error 1236 (purged binlogs) with the server text', () => {
    const error =
      'Got fatal error 1236 from source when reading data from binary log: ' +
      "'Cannot replicate because the source purged required binary logs. Replicate the missing transactions from elsewhere, " +
      "or provision a new replica from backup. Consider increasing the source's binary log expiration period. " +
      `The GTID set sent by the replica is '${primaryUuid}:1-118', and the missing transactions are '${primaryUuid}:119-120'`;
    const status = parseReplicaStatus(
      mysql84Row({ Replica_IO_Running: 'No', Last_IO_Errno: 13114, Last_IO_Error: error, Seconds_Behind_Source: null }),
      'mysql',
    );
    expect(status).toMatchObject({ ioRunning: false, ioState: 'No', lastIoErrno: 13114, lastIoError: error });
    const classic = parseReplicaStatus(mysql57Row({ Slave_IO_Running: 'No', Last_IO_Errno: 1236, Last_IO_Error: error }), 'mysql');
    expect(classic).toMatchObject({ lastIoErrno: 1236, lastIoError: error, lastSqlErrno: 0, lastSqlError: '' });
  });

  it('MariaDB: an SQL error with its number and text, kept apart from Last_Errno', () => {
    const error =
      "Could not execute Write_rows_v1 event on table app.items; Duplicate entry '42' for key 'PRIMARY', " +
      "Error_code: 1062; handler error HA_ERR_FOUND_DUPP_KEY; the event's master log mysql-0-bin.000002, end_log_pos 4412";
    const status = parseReplicaStatus(
      mariaDbRow({ Slave_SQL_Running: 'No', Last_Errno: 9999, Last_Error: 'other', Last_SQL_Errno: 1062, Last_SQL_Error: error }),
      'mariadb',
    );
    expect(status).toMatchObject({ sqlRunning: false, lastSqlErrno: 1062, lastSqlError: error, lastIoErrno: 0, lastIoError: '' });
  });

  it('error numbers sent as text are read as numbers', () => {
    const status = parseReplicaStatus(mysql57Row({ Last_IO_Errno: '1045', Last_SQL_Errno: '1146', Master_Port: '3306' }), 'mysql');
    expect(status).toMatchObject({ lastIoErrno: 1045, lastSqlErrno: 1146, sourcePort: 3306 });
  });
});

describe('parseReplicaStatus: no row', () => {
  it('an empty result (replication never configured) is undefined', () => {
    expect(parseReplicaStatus(undefined, 'mysql')).toBeUndefined();
    expect(parseReplicaStatus(undefined, 'mariadb')).toBeUndefined();
  });

  it('a row after RESET REPLICA (empty host, NULLs) reads as not configured and not running', () => {
    const row = mysql84Row({
      Source_Host: '',
      Source_Port: 3306,
      Replica_IO_Running: 'No',
      Replica_SQL_Running: 'No',
      Seconds_Behind_Source: null,
      Retrieved_Gtid_Set: '',
    });
    expect(parseReplicaStatus(row, 'mysql')).toMatchObject({ sourceHost: '', ioRunning: false, sqlRunning: false, secondsBehind: null });
  });
});

describe('parseReplicaStatus: properties', () => {
  const runningValue = fc.constantFrom('Yes', 'No', 'Connecting', 'Preparing');
  const behind = fc.option(fc.integer({ min: 0, max: 10_000_000 }), { nil: null });

  it('every name style maps to the same status', () => {
    fc.assert(
      fc.property(runningValue, runningValue, behind, fc.nat(65_535), (io, sql, seconds, port) => {
        const fromNew = parseReplicaStatus(
          mysql84Row({ Replica_IO_Running: io, Replica_SQL_Running: sql, Seconds_Behind_Source: seconds, Source_Port: port }),
          'mysql',
        );
        const fromOld = parseReplicaStatus(
          mysql57Row({ Slave_IO_Running: io, Slave_SQL_Running: sql, Seconds_Behind_Master: seconds, Master_Port: port }),
          'mysql',
        );
        const fromMaria = parseReplicaStatus(
          mariaDbRow({ Slave_IO_Running: io, Slave_SQL_Running: sql, Seconds_Behind_Master: seconds, Master_Port: port }),
          'mariadb',
        );
        for (const status of [fromNew, fromOld, fromMaria]) {
          expect(status).toMatchObject({ ioRunning: io === 'Yes', ioState: io, sqlRunning: sql === 'Yes', secondsBehind: seconds, sourcePort: port });
        }
      }),
    );
  });
});
