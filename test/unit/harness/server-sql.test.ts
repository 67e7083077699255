import { describe, expect, it } from 'vitest';
import { firstOwnWrite, operatorSql, ownGtidsIn, positionOnlyFrom, SERVER_CASES } from '../../support/server-sql.js';

const PRIMARY_UUID = '22254281-eb5c-11f1-baae-0242c612000a';
const REPLICA_UUID = '29735a58-eb5c-11f1-a2d8-0242c612000b';

describe('ownGtidsIn', () => {
  it("MariaDB: the GTIDs of the server's own server_id, one per domain", () => {
    expect(ownGtidsIn('mariadb', '0-100-57,0-101-58', '101')).toBe('0-101-58');
    expect(ownGtidsIn('mariadb', '0-100-57,1-101-3,0-101-58', '101')).toBe('1-101-3,0-101-58');
    expect(ownGtidsIn('mariadb', '0-100-57', '101')).toBe('');
    expect(ownGtidsIn('mariadb', '0-1011-5', '101')).toBe('');
    expect(ownGtidsIn('mariadb', '', '101')).toBe('');
  });

  it("MySQL: the intervals of the server's own UUID, with the line breaks MySQL prints removed", () => {
    expect(ownGtidsIn('mysql', `${PRIMARY_UUID}:1-58,\n${REPLICA_UUID}:1`, REPLICA_UUID)).toBe(`${REPLICA_UUID}:1`);
    expect(ownGtidsIn('mysql', `${PRIMARY_UUID}:1-58,\n${REPLICA_UUID}:1-3:7`, REPLICA_UUID)).toBe(`${REPLICA_UUID}:1-3:7`);
    expect(ownGtidsIn('mysql', `${PRIMARY_UUID}:1-58`, REPLICA_UUID)).toBe('');
  });
});

describe('GTID position patterns', () => {
  it("a replica's position holds only the primary's transactions", () => {
    expect('0-100-57').toMatch(positionOnlyFrom('mariadb', '100'));
    expect('0-100-57,0-101-58').not.toMatch(positionOnlyFrom('mariadb', '100'));
    expect(`${PRIMARY_UUID}:1-58`).toMatch(positionOnlyFrom('mysql', PRIMARY_UUID));
    expect(`${PRIMARY_UUID}:1-58,${REPLICA_UUID}:1`).not.toMatch(positionOnlyFrom('mysql', PRIMARY_UUID));
  });

  it("a server's first write of its own", () => {
    expect('0-101-58').toMatch(firstOwnWrite('mariadb', '101'));
    expect('0-100-58').not.toMatch(firstOwnWrite('mariadb', '101'));
    expect(`${REPLICA_UUID}:1`).toMatch(firstOwnWrite('mysql', REPLICA_UUID));
    expect(`${REPLICA_UUID}:1-2`).not.toMatch(firstOwnWrite('mysql', REPLICA_UUID));
  });
});

describe('operatorSql and SERVER_CASES', () => {
  it("speak each server's words: no SLAVE or MASTER on MySQL 9.7, which removed them", () => {
    const mysql = Object.values(operatorSql('mysql')).filter((value): value is string => typeof value === 'string');
    expect(mysql.filter((statement) => /SLAVE|MASTER/.test(statement))).toEqual([]);
    expect(operatorSql('mysql').setDelay(8)).toBe('CHANGE REPLICATION SOURCE TO SOURCE_DELAY = 8');
    expect(operatorSql('mariadb').setDelay(8)).toBe('CHANGE MASTER TO MASTER_DELAY = 8');
  });

  it('cover MariaDB 10.11 and MySQL 9.7, each from its own overlay', () => {
    expect(SERVER_CASES.map(({ server, overlay, flavor }) => [server, overlay, flavor])).toEqual([
      ['MariaDB 10.11', 'k8s/overlays/mariadb-10.11', 'mariadb'],
      ['MySQL 9.7', 'k8s/overlays/mysql-9.7', 'mysql'],
    ]);
  });
});
