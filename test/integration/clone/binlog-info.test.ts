import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupCommand, extractCommand, prepareCommand, renderOptionFile } from '../../../src/clone/backup-tool.js';
import { parseBinlogInfo } from '../../../src/data-dir/coordinates.js';
import { gtidProgress } from '../../../src/mysql/gtid.js';
import { startThrowawayMariadb, type ThrowawayMariadb } from '../../support/throwaway-mariadb.js';

/**
 * A throwaway mariadbd on a unix socket, backed up with the real mariadb-backup:
 * the binlog info file it writes is what parseBinlogInfo must read.
 */
const dir = mkdtempSync(join(tmpdir(), 'msa-binlog-info-'));
let server: ThrowawayMariadb | undefined;
let dataDir = '';
let socket = '';

function sql(statement: string, user = 'root'): string {
  if (server === undefined) throw new Error('mariadbd is not running');
  return server.sql(statement, user);
}

beforeAll(async () => {
  server = await startThrowawayMariadb(dir, { args: ['--log-bin=mysql-bin', '--server-id=7'] });
  ({ dataDir, socket } = server);
  sql('CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO app.t VALUES (1, "one")');
});

afterAll(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('parseBinlogInfo on a real mariadb-backup', () => {
  it('reads the binlog file, position and GTID that mariadb-backup 10.11 wrote', () => {
    const [file = '', position = ''] = sql('SHOW MASTER STATUS').split('\t');
    const gtid = sql('SELECT @@gtid_binlog_pos');
    expect(file).toMatch(/^mysql-bin\.\d{6}$/);
    expect(gtid).toMatch(/^0-7-\d+$/);

    const target = join(dir, 'backup');
    execFileSync('mariadb-backup', ['--backup', `--target-dir=${target}`, '--user=root', `--socket=${socket}`], {
      stdio: 'ignore',
    });
    const text = readFileSync(join(target, 'xtrabackup_binlog_info'), 'utf8');
    const coordinates = parseBinlogInfo(text);

    expect(coordinates.binlogFile).toMatch(/^mysql-bin\.00000\d$/);
    expect(coordinates.binlogPosition).toBeGreaterThan(0);
    expect(coordinates.gtid).toMatch(/^0-7-[1-9]\d*$/);
    // Nothing was written meanwhile, so the backup's coordinates are the server's.
    expect(coordinates).toEqual({ binlogFile: file, binlogPosition: Number(position), gtid });
    expect(gtidProgress(coordinates.gtid ?? '', 'mariadb')).toBe(Number(gtid.split('-')[2]));
  });

  it('streams, extracts and prepares with the commands backup-tool builds, credentials from the option file only', async () => {
    const password = 'p"w\\#;x =y\'z';
    sql(
      `CREATE USER backup@localhost IDENTIFIED BY '${password.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}';` +
        ' GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SELECT ON *.* TO backup@localhost;' +
        ' INSERT INTO app.t VALUES (2, "two")',
    );
    const optionFile = join(dir, 'backup.cnf');
    writeFileSync(optionFile, renderOptionFile({ group: 'client', user: 'backup', password, socket }), { mode: 0o600 });
    const scratch = join(dir, 'scratch');
    const staging = join(dir, 'staging');
    mkdirSync(scratch);
    mkdirSync(staging);

    const backup = backupCommand({ flavor: 'mariadb', optionFile, dataDir, scratchDir: scratch, parallel: 2 });
    const extract = extractCommand('mariadb', staging, 2);
    expect(backup.args.join(' ')).not.toContain(password);

    const producer = spawn(backup.file, [...backup.args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const consumer = spawn(extract.file, [...extract.args], { stdio: ['pipe', 'ignore', 'pipe'] });
    let producerLog = '';
    producer.stderr?.on('data', (chunk: Buffer) => {
      producerLog += chunk.toString();
    });
    producer.stdout?.pipe(consumer.stdin!);
    const exitOf = (child: ChildProcess) => new Promise<number | null>((resolve) => child.once('close', resolve));
    const [backupExit, extractExit] = await Promise.all([exitOf(producer), exitOf(consumer)]);
    expect({ backupExit, log: backupExit === 0 ? '' : producerLog.slice(-2000) }).toEqual({ backupExit: 0, log: '' });
    expect(extractExit).toBe(0);
    expect(producerLog).not.toContain(password);

    const prepare = prepareCommand('mariadb', staging);
    execFileSync(prepare.file, [...prepare.args], { stdio: 'ignore' });
    expect(existsSync(join(staging, 'app', 't.ibd'))).toBe(true);

    const coordinates = parseBinlogInfo(readFileSync(join(staging, 'xtrabackup_binlog_info'), 'utf8'));
    expect(coordinates.gtid).toBe(sql('SELECT @@gtid_binlog_pos'));
    const [file = '', position = ''] = sql('SHOW MASTER STATUS').split('\t');
    expect(coordinates).toEqual({ binlogFile: file, binlogPosition: Number(position), gtid: coordinates.gtid });
  });
});
