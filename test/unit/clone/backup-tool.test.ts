import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  backupCommand,
  backupToolOf,
  extractCommand,
  extractToolOf,
  prepareCommand,
  renderOptionFile,
} from '../../../src/clone/backup-tool.js';

const input = {
  optionFile: '/run/msa/backup.cnf',
  dataDir: '/var/lib/mysql',
  scratchDir: '/var/lib/mysql/.mysql-sts-agent/donor-scratch',
  parallel: 4,
};

describe('backup tool commands', () => {
  it('names the tools of each flavour', () => {
    expect(backupToolOf('mariadb')).toBe('mariadb-backup');
    expect(extractToolOf('mariadb')).toBe('mbstream');
    expect(backupToolOf('mysql')).toBe('xtrabackup');
    expect(extractToolOf('mysql')).toBe('xbstream');
  });

  it.each([
    ['mariadb', 'mariadb-backup'],
    ['mysql', 'xtrabackup'],
  ] as const)('backupCommand for %s streams xbstream from the data dir', (flavor, file) => {
    expect(backupCommand({ flavor, ...input })).toEqual({
      file,
      args: [
        '--defaults-extra-file=/run/msa/backup.cnf',
        '--backup',
        '--stream=xbstream',
        '--datadir=/var/lib/mysql',
        '--target-dir=/var/lib/mysql/.mysql-sts-agent/donor-scratch',
        '--parallel=4',
        '--log-copy-interval=50',
      ],
    });
  });

  it.each([
    ['mariadb', 'mbstream'],
    ['mysql', 'xbstream'],
  ] as const)('extractCommand for %s unpacks stdin into the staging dir', (flavor, file) => {
    expect(extractCommand(flavor, '/var/lib/mysql/.mysql-sts-agent/staging', 2)).toEqual({
      file,
      args: ['-x', '-C', '/var/lib/mysql/.mysql-sts-agent/staging', '--parallel=2'],
    });
  });

  it.each([
    ['mariadb', 'mariadb-backup'],
    ['mysql', 'xtrabackup'],
  ] as const)('prepareCommand for %s prepares the staging dir', (flavor, file) => {
    expect(prepareCommand(flavor, '/var/lib/mysql/.mysql-sts-agent/staging')).toEqual({
      file,
      args: ['--prepare', '--target-dir=/var/lib/mysql/.mysql-sts-agent/staging'],
    });
  });

  it('puts --defaults-extra-file first (the tools ignore it anywhere else) and nothing password-like in argv', () => {
    fc.assert(
      fc.property(
        fc.constantFrom('mariadb' as const, 'mysql' as const),
        fc.stringMatching(/^\/[a-z0-9/._-]{1,60}$/),
        fc.integer({ min: 1, max: 64 }),
        (flavor, optionFile, parallel) => {
          const commands = [
            backupCommand({ ...input, flavor, optionFile, parallel }),
            extractCommand(flavor, '/staging', parallel),
            prepareCommand(flavor, '/staging'),
          ];
          expect(commands[0]?.args[0]).toBe(`--defaults-extra-file=${optionFile}`);
          expect(commands[0]?.args.filter((arg) => arg.startsWith('--defaults'))).toHaveLength(1);
          for (const command of commands) {
            for (const arg of command.args) {
              expect(arg).not.toMatch(/^(-p|--password|--pass\b)/);
            }
          }
        },
      ),
    );
  });
});

describe('renderOptionFile', () => {
  it('writes the group and double-quoted user and password', () => {
    expect(renderOptionFile({ group: 'client', user: 'backup', password: 's3cret' })).toBe(
      '[client]\nuser="backup"\npassword="s3cret"\n',
    );
  });

  it('adds host, port and socket when given, port unquoted', () => {
    expect(
      renderOptionFile({
        group: 'mariadb-backup',
        user: 'backup',
        password: 'pw',
        host: 'mysql-0.mysql.default.svc.cluster.local',
        port: 3306,
        socket: '/run/mysqld/mysqld.sock',
      }),
    ).toBe(
      '[mariadb-backup]\nuser="backup"\npassword="pw"\nhost="mysql-0.mysql.default.svc.cluster.local"\nport=3306\nsocket="/run/mysqld/mysqld.sock"\n',
    );
  });

  it.each([
    ['a"b', 'password="a\\"b"'],
    ['a\\b', 'password="a\\\\b"'],
    ['#not a comment', 'password="#not a comment"'],
    [';semi;colon', 'password=";semi;colon"'],
    ['  spaces  around  ', 'password="  spaces  around  "'],
    ['a=b==', 'password="a=b=="'],
    ["it's", 'password="it\'s"'],
    ['\\"#; =', 'password="\\\\\\"#; ="'],
    ['ends with \\', 'password="ends with \\\\"'],
    ['', 'password=""'],
  ])('quotes the password %j', (password, line) => {
    expect(renderOptionFile({ group: 'client', user: 'u', password })).toBe(`[client]\nuser="u"\n${line}\n`);
  });

  it('escapes the user too', () => {
    expect(renderOptionFile({ group: 'client', user: 'we"ird\\user', password: 'p' })).toBe(
      '[client]\nuser="we\\"ird\\\\user"\npassword="p"\n',
    );
  });

  it('keeps every value on its own line (a newline in a password must not start a new option)', () => {
    const text = renderOptionFile({ group: 'client', user: 'u', password: 'line1\nbind-address=0.0.0.0\r' });
    expect(text.split('\n')).toHaveLength(4);
    expect(text).not.toMatch(/^bind-address/m);
  });
});

describe('renderOptionFile read back by the real option-file parser (my_print_defaults)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'msa-optfile-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;

  function readBack(text: string): string {
    const file = join(dir, `opt-${count++}.cnf`);
    writeFileSync(file, text, { mode: 0o600 });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    return execFileSync('my_print_defaults', [`--defaults-file=${file}`, 'client'], { encoding: 'utf8' });
  }

  it.each([
    ['plain'],
    ['a"b'],
    ['back\\slash'],
    ['\\n is not a newline'],
    ['ends with a backslash\\'],
    ['"quoted"'],
    ["'single'"],
    ['#hash'],
    ['x #comment?'],
    [';semicolon'],
    ['  leading and trailing spaces  '],
    ['key=value=more'],
    ['\\"#; =\'\\\\'],
    ['tab\there'],
    ['pässwörd ✓'],
  ])('password %j survives', (password) => {
    const text = renderOptionFile({ group: 'client', user: 'backup', password, socket: '/run/my sql/#x.sock' });
    expect(readBack(text)).toBe(`--user=backup\n--password=${password}\n--socket=/run/my sql/#x.sock\n`);
  });

  it.each([['line1\nline2'], ['carriage\rreturn'], ['trailing newline\n']])(
    'password with a line break %j survives',
    (password) => {
      const text = renderOptionFile({ group: 'client', user: 'backup', password });
      expect(readBack(text)).toBe(`--user=backup\n--password=${password}\n`);
    },
  );

  it('random printable passwords survive', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme-ascii', maxLength: 40 }), (password) => {
        const text = renderOptionFile({ group: 'client', user: 'backup', password });
        expect(readBack(text)).toBe(`--user=backup\n--password=${password}\n`);
      }),
      { numRuns: 40 },
    );
  });
});
