import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupCommand, extractCommand, prepareCommand, renderOptionFile } from '../../../src/clone/backup-tool.js';
import { parseBinlogInfo } from '../../../src/data-dir/coordinates.js';
import { gtidProgress } from '../../../src/mysql/gtid.js';
import { waitFor } from '../../cluster/wait.js';

/**
 * A throwaway mariadbd on a unix socket, backed up with the real mariadb-backup:
 * the binlog info file it writes is what parseBinlogInfo must read.
 */
const dir = mkdtempSync(join(tmpdir(), 'msa-binlog-info-'));
const dataDir = join(dir, 'data');
const socket = join(dir, 'mysqld.sock');
const pidFile = join(dir, 'mysqld.pid');
let server: ChildProcess | undefined;
let serverLog = '';

function sql(statement: string, user = 'root'): string {
  return execFileSync('mariadb', ['--no-defaults', `--user=${user}`, `--socket=${socket}`, '-N', '-B', '-e', statement], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  }).trim();
}

beforeAll(async () => {
  execFileSync(
    'mariadb-install-db',
    ['--no-defaults', `--datadir=${dataDir}`, '--user=root', '--auth-root-authentication-method=socket'],
    { stdio: 'ignore' },
  );
  server = spawn(
    'mariadbd',
    [
      '--no-defaults',
      '--user=root',
      `--datadir=${dataDir}`,
      `--socket=${socket}`,
      '--skip-networking',
      '--log-bin=mysql-bin',
      '--server-id=7',
      `--pid-file=${pidFile}`,
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  server.stderr?.on('data', (chunk: Buffer) => {
    serverLog += chunk.toString();
  });
  const exited = new Promise<never>((_, reject) =>
    server?.once('exit', (code) => reject(new Error(`mariadbd exited with ${code}: ${serverLog.slice(-2000)}`))),
  );
  exited.catch(() => undefined);
  await Promise.race([
    exited,
    waitFor(async () => (sql('SELECT 1') === '1' ? true : undefined), { what: 'mariadbd to answer', timeoutMs: 60_000 }),
  ]);
  sql('CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO app.t VALUES (1, "one")');
});

afterAll(async () => {
  if (server?.pid !== undefined && server.exitCode === null) {
    const gone = new Promise((resolve) => server?.once('exit', resolve));
    process.kill(server.pid, 'SIGTERM');
    await Promise.race([gone, new Promise((resolve) => setTimeout(resolve, 20_000))]);
    if (server.exitCode === null && server.signalCode === null) process.kill(server.pid, 'SIGKILL');
  }
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
