import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { dialectFor, type Dialect, type SourceSettings } from '../../../src/mysql/dialect.js';
import { parseServerVersion } from '../../../src/mysql/server-version.js';
import { Secret } from '../../../src/secret.js';

/** ARCHITECTURE.md, "Replication": the dialect of each server family. */

const PASSWORD = 'p@ss"word';

const source: SourceSettings = {
  host: 'mysql-0.mysql.db.svc.cluster.local',
  port: 3306,
  user: 'repl',
  password: new Secret(PASSWORD, 'X'),
  connectRetrySeconds: 2,
};

/** MySQL gets a retry count too: 8.4 lowered its default to 10 tries (MariaDB's is a server variable, 86400). */
const SOURCE_PARAMS = {
  mysql: ['mysql-0.mysql.db.svc.cluster.local', 3306, 'repl', PASSWORD, 2, 86_400],
  mariadb: ['mysql-0.mysql.db.svc.cluster.local', 3306, 'repl', PASSWORD, 2],
} as const;

const MYSQL_57_CHANGE =
  'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ' +
  'MASTER_CONNECT_RETRY = ?, MASTER_RETRY_COUNT = ?, MASTER_HEARTBEAT_PERIOD = 1, MASTER_AUTO_POSITION = 1';
const MYSQL_8022_CHANGE = `${MYSQL_57_CHANGE}, GET_MASTER_PUBLIC_KEY = 1`;
const MYSQL_SOURCE_CHANGE =
  'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, ' +
  'SOURCE_CONNECT_RETRY = ?, SOURCE_RETRY_COUNT = ?, SOURCE_HEARTBEAT_PERIOD = 1, SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1';
const MARIADB_CHANGE =
  'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ' +
  'MASTER_CONNECT_RETRY = ?, MASTER_HEARTBEAT_PERIOD = 1, MASTER_USE_GTID = slave_pos';

interface Expected {
  readonly changeSource: string;
  readonly startReplica: string;
  readonly stopReplica: string;
  readonly replicaStatus: string;
  readonly binlogStatus: string;
  readonly setGtidStart: string;
  readonly gtidExecutedVariable: string;
  readonly resetGtids: string | undefined;
}

const mysqlSlave = { startReplica: 'START SLAVE', stopReplica: 'STOP SLAVE', replicaStatus: 'SHOW SLAVE STATUS' };
const replicaWords = { startReplica: 'START REPLICA', stopReplica: 'STOP REPLICA', replicaStatus: 'SHOW REPLICA STATUS' };
const mysqlGtid = { setGtidStart: 'SET GLOBAL gtid_purged = ?', gtidExecutedVariable: '@@gtid_executed', resetGtids: 'RESET MASTER' };
const mysqlGtid82 = { ...mysqlGtid, resetGtids: 'RESET BINARY LOGS AND GTIDS' };
const mariaGtid = { setGtidStart: 'SET GLOBAL gtid_slave_pos = ?', gtidExecutedVariable: '@@gtid_current_pos', resetGtids: undefined };

/** Version strings as `SELECT VERSION()` reports them. */
const table: ReadonlyArray<readonly [string, Expected]> = [
  ['5.7.44-log', { changeSource: MYSQL_57_CHANGE, ...mysqlSlave, binlogStatus: 'SHOW MASTER STATUS', ...mysqlGtid }],
  ['8.0.22', { changeSource: MYSQL_8022_CHANGE, ...replicaWords, binlogStatus: 'SHOW MASTER STATUS', ...mysqlGtid }],
  ['8.0.23', { changeSource: MYSQL_SOURCE_CHANGE, ...replicaWords, binlogStatus: 'SHOW MASTER STATUS', ...mysqlGtid }],
  ['8.0.36', { changeSource: MYSQL_SOURCE_CHANGE, ...replicaWords, binlogStatus: 'SHOW MASTER STATUS', ...mysqlGtid }],
  ['8.2.0', { changeSource: MYSQL_SOURCE_CHANGE, ...replicaWords, binlogStatus: 'SHOW BINARY LOG STATUS', ...mysqlGtid82 }],
  ['8.4.2-log', { changeSource: MYSQL_SOURCE_CHANGE, ...replicaWords, binlogStatus: 'SHOW BINARY LOG STATUS', ...mysqlGtid82 }],
  ['10.4.32-MariaDB-log', { changeSource: MARIADB_CHANGE, ...mysqlSlave, binlogStatus: 'SHOW MASTER STATUS', ...mariaGtid }],
  [
    '10.6.16-MariaDB-1:10.6.16+maria~ubu2204',
    { changeSource: MARIADB_CHANGE, ...replicaWords, binlogStatus: 'SHOW MASTER STATUS', ...mariaGtid },
  ],
  ['10.11.6-MariaDB-0+deb12u1-log', { changeSource: MARIADB_CHANGE, ...replicaWords, binlogStatus: 'SHOW MASTER STATUS', ...mariaGtid }],
  ['11.4.2-MariaDB-ubu2404', { changeSource: MARIADB_CHANGE, ...replicaWords, binlogStatus: 'SHOW MASTER STATUS', ...mariaGtid }],
];

const GTID_START: Record<string, string> = {
  mysql: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-42',
  mariadb: '0-100-42',
};

function dialectOf(text: string): Dialect {
  return dialectFor(parseServerVersion(text));
}

/** Every SQL text a dialect can produce, for the "no MASTER/SLAVE word" rules. */
function allSql(dialect: Dialect): string[] {
  return [
    dialect.changeSource(source).sql,
    dialect.startReplica,
    dialect.stopReplica,
    dialect.replicaStatus,
    dialect.binlogStatus,
    dialect.setGtidStart('0-100-42').sql,
    dialect.gtidExecutedVariable,
    ...(dialect.resetGtids === undefined ? [] : [dialect.resetGtids]),
  ];
}

function placeholders(sql: string): number {
  return (sql.match(/\?/g) ?? []).length;
}

describe.each(table)('dialectFor(parseServerVersion(%j))', (versionText, expected) => {
  const dialect = dialectOf(versionText);
  const gtid = GTID_START[dialect.version.flavor] as string;

  it('keeps the version it was made for', () => {
    expect(dialect.version).toEqual(parseServerVersion(versionText));
  });

  it('points at the source with the exact statement, every value a parameter', () => {
    expect(dialect.changeSource(source)).toEqual({ sql: expected.changeSource, params: SOURCE_PARAMS[dialect.version.flavor] });
  });

  it('puts the password in params and never in the SQL text', () => {
    const statement = dialect.changeSource(source);
    expect(statement.params[3]).toBe(PASSWORD);
    expect(statement.sql).not.toContain(PASSWORD);
    expect(statement.sql).not.toContain('p@ss');
    expect(statement.sql).not.toContain('[redacted]');
    expect(statement.params).not.toContain(source.password);
    expect(placeholders(statement.sql)).toBe(statement.params.length);
  });

  it('starts, stops and reads replication in the words this version knows', () => {
    expect({ start: dialect.startReplica, stop: dialect.stopReplica, status: dialect.replicaStatus }).toEqual({
      start: expected.startReplica,
      stop: expected.stopReplica,
      status: expected.replicaStatus,
    });
  });

  it('reads the binlog status in the words this version knows', () => {
    expect(dialect.binlogStatus).toBe(expected.binlogStatus);
  });

  it('sets the GTID start position as a parameter', () => {
    const statement = dialect.setGtidStart(gtid);
    expect(statement).toEqual({ sql: expected.setGtidStart, params: [gtid] });
    expect(statement.sql).not.toContain(gtid);
    expect(placeholders(statement.sql)).toBe(1);
  });

  it('names the executed-GTID variable', () => {
    expect(dialect.gtidExecutedVariable).toBe(expected.gtidExecutedVariable);
  });

  it('resets GTIDs before setting gtid_purged in the words this version knows (MySQL only)', () => {
    expect(dialect.resetGtids).toBe(expected.resetGtids);
  });

  it('sets a 1 s replication heartbeat period', () => {
    expect(dialect.changeSource(source).sql).toMatch(/\b(MASTER|SOURCE)_HEARTBEAT_PERIOD\s*=\s*1\s*(,|$)/);
  });
});

describe('dialect rules of ARCHITECTURE.md, "Replication"', () => {
  const patch = fc.integer({ min: 0, max: 99 });
  const suffix = fc.constantFrom('', '-log', '-debug', '-0ubuntu0.24.04.1');

  it('MySQL 8.4 and later: no MASTER or SLAVE word in any statement', () => {
    const version = fc.oneof(
      fc.tuple(fc.constant(8), fc.integer({ min: 4, max: 9 }), patch),
      fc.tuple(fc.integer({ min: 9, max: 9 }), fc.integer({ min: 0, max: 9 }), patch),
    );
    fc.assert(
      fc.property(version, suffix, ([major, minor, p], end) => {
        const dialect = dialectOf(`${major}.${minor}.${p}${end}`);
        expect(dialect.version.flavor).toBe('mysql');
        for (const sql of allSql(dialect)) expect(sql).not.toMatch(/MASTER|SLAVE/i);
        expect(dialect.changeSource(source).sql.startsWith('CHANGE REPLICATION SOURCE TO ')).toBe(true);
        expect(dialect.binlogStatus).toBe('SHOW BINARY LOG STATUS');
      }),
    );
  });

  it('every MySQL 8.4.x patch gets exactly the 8.4 statements', () => {
    fc.assert(
      fc.property(patch, (p) => {
        const dialect = dialectOf(`8.4.${p}`);
        expect(allSql(dialect)).toEqual([
          MYSQL_SOURCE_CHANGE,
          'START REPLICA',
          'STOP REPLICA',
          'SHOW REPLICA STATUS',
          'SHOW BINARY LOG STATUS',
          'SET GLOBAL gtid_purged = ?',
          '@@gtid_executed',
          'RESET BINARY LOGS AND GTIDS',
        ]);
      }),
    );
  });

  it('MySQL 8.0.23+: CHANGE REPLICATION SOURCE with SOURCE_AUTO_POSITION=1 and GET_SOURCE_PUBLIC_KEY=1', () => {
    const version = fc.oneof(
      fc.tuple(fc.constant(8), fc.constant(0), fc.integer({ min: 23, max: 99 })),
      fc.tuple(fc.constant(8), fc.integer({ min: 1, max: 9 }), patch),
      fc.tuple(fc.constant(9), fc.integer({ min: 0, max: 9 }), patch),
    );
    fc.assert(
      fc.property(version, ([major, minor, p]) => {
        const sql = dialectOf(`${major}.${minor}.${p}`).changeSource(source).sql;
        expect(sql).toMatch(/^CHANGE REPLICATION SOURCE TO /);
        expect(sql).toMatch(/\bSOURCE_AUTO_POSITION\s*=\s*1\b/);
        expect(sql).toMatch(/\bGET_SOURCE_PUBLIC_KEY\s*=\s*1\b/);
        expect(sql).not.toMatch(/MASTER/);
      }),
    );
  });

  it('MySQL before 8.0.22: the SLAVE words and MASTER_AUTO_POSITION=1', () => {
    const version = fc.oneof(
      fc.tuple(fc.constant(5), fc.constant(7), patch),
      fc.tuple(fc.constant(8), fc.constant(0), fc.integer({ min: 0, max: 21 })),
    );
    fc.assert(
      fc.property(version, ([major, minor, p]) => {
        const dialect = dialectOf(`${major}.${minor}.${p}`);
        expect(dialect.changeSource(source).sql).toMatch(/^CHANGE MASTER TO .*\bMASTER_AUTO_POSITION = 1\b/);
        expect([dialect.startReplica, dialect.stopReplica, dialect.replicaStatus]).toEqual([
          'START SLAVE',
          'STOP SLAVE',
          'SHOW SLAVE STATUS',
        ]);
        expect(dialect.binlogStatus).toBe('SHOW MASTER STATUS');
      }),
    );
  });

  it('MariaDB 10.6 to 11.x: CHANGE MASTER with MASTER_USE_GTID=slave_pos, REPLICA words, gtid_slave_pos', () => {
    const version = fc.oneof(
      fc.tuple(fc.constant(10), fc.integer({ min: 6, max: 11 }), patch),
      fc.tuple(fc.constant(11), fc.integer({ min: 0, max: 8 }), patch),
    );
    fc.assert(
      fc.property(version, fc.constantFrom('-MariaDB', '-MariaDB-log', '-MariaDB-0+deb12u1'), ([major, minor, p], end) => {
        const dialect = dialectOf(`${major}.${minor}.${p}${end}`);
        expect(dialect.version.flavor).toBe('mariadb');
        const sql = dialect.changeSource(source).sql;
        expect(sql).toMatch(/^CHANGE MASTER TO /);
        expect(sql).toMatch(/\bMASTER_USE_GTID\s*=\s*slave_pos\b/);
        expect(sql).not.toMatch(/AUTO_POSITION/);
        expect(dialect.startReplica).toBe('START REPLICA');
        expect(dialect.setGtidStart('0-100-1').sql).toBe('SET GLOBAL gtid_slave_pos = ?');
      }),
    );
  });

  it('every flavour and version sets a 1 s heartbeat period', () => {
    const anyVersion = fc.oneof(
      fc.tuple(fc.constantFrom(5, 8, 9), fc.integer({ min: 0, max: 9 }), patch, fc.constant('')),
      fc.tuple(fc.constantFrom(10, 11), fc.integer({ min: 0, max: 11 }), patch, fc.constant('-MariaDB')),
    );
    fc.assert(
      fc.property(anyVersion, ([major, minor, p, end]) => {
        const sql = dialectOf(`${major}.${minor}.${p}${end}`).changeSource(source).sql;
        expect(sql).toMatch(/\b(MASTER|SOURCE)_HEARTBEAT_PERIOD\s*=\s*1\s*(,|$)/);
      }),
    );
  });

  it('the SQL text does not depend on the password, host or user; params carry them in order', () => {
    const anyVersion = fc.constantFrom(...table.map(([text]) => text));
    fc.assert(
      fc.property(anyVersion, fc.string({ minLength: 1 }), fc.domain(), fc.string({ minLength: 1, maxLength: 32 }), (text, password, host, user) => {
        const dialect = dialectOf(text);
        const settings: SourceSettings = { host, port: 3307, user, password: new Secret(password, 'X'), connectRetrySeconds: 5 };
        const statement = dialect.changeSource(settings);
        expect(statement.sql).toBe(dialect.changeSource(source).sql);
        expect(statement.params).toEqual(dialect.version.flavor === 'mysql' ? [host, 3307, user, password, 5, 86_400] : [host, 3307, user, password, 5]);
      }),
    );
  });
});
