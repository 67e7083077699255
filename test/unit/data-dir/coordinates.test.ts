import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BINLOG_INFO_FILES, parseBinlogInfo } from '../../../src/data-dir/coordinates.js';

describe('parseBinlogInfo', () => {
  it('reads mariabackup 10.11: file, position and a MariaDB GTID', () => {
    expect(parseBinlogInfo('mysql-bin.000003\t1234\t0-100-42')).toEqual({
      binlogFile: 'mysql-bin.000003',
      binlogPosition: 1234,
      gtid: '0-100-42',
    });
  });

  it('reads a MariaDB GTID list with several domains', () => {
    expect(parseBinlogInfo('mysql-bin.000003\t1234\t0-100-42,1-101-7\n')).toEqual({
      binlogFile: 'mysql-bin.000003',
      binlogPosition: 1234,
      gtid: '0-100-42,1-101-7',
    });
  });

  it('reads a file without GTID', () => {
    expect(parseBinlogInfo('mysql-bin.000001\t328')).toEqual({
      binlogFile: 'mysql-bin.000001',
      binlogPosition: 328,
      gtid: undefined,
    });
    expect(parseBinlogInfo('mysql-bin.000001\t328\t\n')).toEqual({
      binlogFile: 'mysql-bin.000001',
      binlogPosition: 328,
      gtid: undefined,
    });
  });

  it('reads XtraBackup 8.0 with a GTID set over several lines', () => {
    const text =
      'binlog.000002\t157\t3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,\nb9b4712a-df64-11e3-b391-60672090eb04:1-7\n';
    expect(parseBinlogInfo(text)).toEqual({
      binlogFile: 'binlog.000002',
      binlogPosition: 157,
      gtid: '3e11fa47-71ca-11e1-9e33-c80aa9429562:1-5,b9b4712a-df64-11e3-b391-60672090eb04:1-7',
    });
  });

  it('reads a GTID set of three lines with CRLF line ends', () => {
    const text = 'binlog.000010\t9\ta-1-1,\r\nb-2-2,\r\nc-3-3\r\n';
    expect(parseBinlogInfo(text)).toEqual({ binlogFile: 'binlog.000010', binlogPosition: 9, gtid: 'a-1-1,b-2-2,c-3-3' });
  });

  it('accepts a trailing newline and spaces instead of tabs', () => {
    expect(parseBinlogInfo('mysql-bin.000003\t1234\t0-100-42\n')).toEqual({
      binlogFile: 'mysql-bin.000003',
      binlogPosition: 1234,
      gtid: '0-100-42',
    });
    expect(parseBinlogInfo('mysql-bin.000003 1234 0-100-42\n\n')).toEqual({
      binlogFile: 'mysql-bin.000003',
      binlogPosition: 1234,
      gtid: '0-100-42',
    });
  });

  it('reads position 0 and a large position', () => {
    expect(parseBinlogInfo('b.000001\t0').binlogPosition).toBe(0);
    expect(parseBinlogInfo('b.000001\t4294967296').binlogPosition).toBe(4294967296);
  });

  it.each([
    ['empty', ''],
    ['a newline only', '\n'],
    ['a word', 'abc'],
    ['a missing position', 'mysql-bin.000001'],
    ['a missing position with a tab', 'mysql-bin.000001\t'],
    ['a non-numeric position', 'mysql-bin.000001\tabc\t0-1-1'],
    ['a negative position', 'mysql-bin.000001\t-4'],
    ['a fractional position', 'mysql-bin.000001\t4.5'],
    ['a hexadecimal position', 'mysql-bin.000001\t0x10'],
    ['an unsafe integer position', 'mysql-bin.000001\t9007199254740993'],
  ])('rejects %s with an error saying what the text is not', (_what, text) => {
    expect(() => parseBinlogInfo(text)).toThrow(
      new Error(`binlog info ${JSON.stringify(text)} is not "<file> <position> [<gtid>]"`),
    );
  });

  it('quotes at most 200 characters of the text in the error', () => {
    const text = `x${'y'.repeat(500)}`;
    expect(() => parseBinlogInfo(text)).toThrow(
      new Error(`binlog info ${JSON.stringify(text.slice(0, 200))} is not "<file> <position> [<gtid>]"`),
    );
  });

  it('round-trips generated MariaDB and MySQL files', () => {
    const file = fc.stringMatching(/^[a-z][a-z0-9_-]{0,20}\.\d{6}$/);
    const mariaGtid = fc
      .array(fc.tuple(fc.nat(), fc.nat(), fc.nat()), { maxLength: 4 })
      .map((parts) => parts.map((p) => p.join('-')));
    const mysqlGtid = fc.array(fc.uuid().map((uuid) => `${uuid}:1-${uuid.length}`), { maxLength: 4 });
    fc.assert(
      fc.property(file, fc.nat(), fc.oneof(mariaGtid, mysqlGtid), fc.constantFrom(',', ',\n'), (f, pos, gtid, sep) => {
        const text = `${f}\t${pos}${gtid.length > 0 ? `\t${gtid.join(sep)}` : ''}\n`;
        expect(parseBinlogInfo(text)).toEqual({
          binlogFile: f,
          binlogPosition: pos,
          gtid: gtid.length > 0 ? gtid.join(',') : undefined,
        });
      }),
    );
  });
});

describe('BINLOG_INFO_FILES', () => {
  it('looks for the 11.1+ name before the older one', () => {
    expect(BINLOG_INFO_FILES).toEqual(['mariadb_backup_binlog_info', 'xtrabackup_binlog_info']);
  });
});
