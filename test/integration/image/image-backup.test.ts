import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backupCommand, extractCommand, prepareCommand, renderOptionFile } from '../../../src/clone/backup-tool.js';
import { buildImages, imageName, podmanUnusable, PODMAN_GLOBAL, PODMAN_ULIMITS, RESTRICTED } from '../../support/podman.js';
import { startThrowawayMariadb, type ThrowawayMariadb } from '../../support/throwaway-mariadb.js';

/**
 * The MariaDB image's backup tool is a copy of the binary and the libraries
 * it loads, with no other file of its package: this takes, streams, extracts
 * and prepares a backup of a real server with the commands the agent builds,
 * each in a container as uid 999 under the pod's restrictions, and a server
 * started on the result must hold every row.
 */
const dir = mkdtempSync(join(tmpdir(), 'mysql-sts-agent-image-backup-'));
chmodSync(dir, 0o755);
const image = imageName('mariadb');
let unusable: string | undefined;
let source: ThrowawayMariadb | undefined;
let restored: ThrowawayMariadb | undefined;

/** The argv of one tool run in the image, with `dir` mounted at the same path. */
function inImage(command: { file: string; args: readonly string[] }, interactive = false): string[] {
  return [...PODMAN_GLOBAL, 'run', '--rm', ...(interactive ? ['-i'] : []), ...PODMAN_ULIMITS, ...RESTRICTED, '--network', 'none', '--volume', `${dir}:${dir}`, '--entrypoint', command.file, image, ...command.args];
}

beforeAll(async () => {
  unusable = await podmanUnusable();
  if (unusable !== undefined) return;
  await buildImages(['mariadb']);
  source = await startThrowawayMariadb(dir);
  source.sql(
    "CREATE DATABASE app; CREATE TABLE app.t (id INT PRIMARY KEY, v VARCHAR(20)); INSERT INTO app.t VALUES (1, 'one'), (2, 'two');" +
      " CREATE USER backup@localhost IDENTIFIED BY 'backup-pw'; GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, SELECT ON *.* TO backup@localhost",
  );
  // The server runs as root here; in a pod the data dir is the mysql user's (999), as the kubelet's fsGroup makes it.
  await execa('chown', ['-R', '999:999', source.dataDir]);
}, 1_800_000);

afterAll(async () => {
  await restored?.stop();
  await source?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('mariadb-backup in the MariaDB image', () => {
  it('backs up, streams, extracts and prepares a copy that a server starts from with every row', async (context) => {
    if (unusable !== undefined) context.skip(unusable);
    if (source === undefined) throw new Error('no source server');
    const optionFile = join(dir, 'backup.cnf');
    writeFileSync(optionFile, renderOptionFile({ group: 'client', user: 'backup', password: 'backup-pw', socket: source.socket }), { mode: 0o600 });
    chownSync(optionFile, 999, 999);
    const scratch = join(dir, 'scratch');
    const staging = join(dir, 'staging');
    for (const path of [scratch, staging]) {
      mkdirSync(path);
      chownSync(path, 999, 999);
    }

    const backup = execa('podman', inImage(backupCommand({ flavor: 'mariadb', optionFile, dataDir: source.dataDir, scratchDir: scratch, parallel: 2 })), { reject: false });
    const extract = backup.pipe('podman', inImage(extractCommand('mariadb', staging, 2), true), { reject: false });
    const [extracted, backedUp] = await Promise.all([extract, backup]);
    expect({ exit: backedUp.exitCode, log: backedUp.exitCode === 0 ? '' : backedUp.stderr.slice(-2000) }).toEqual({ exit: 0, log: '' });
    expect(backedUp.stderr).toMatch(/completed OK!/);
    expect(extracted.exitCode).toBe(0);

    const prepared = await execa('podman', inImage(prepareCommand('mariadb', staging)), { reject: false });
    expect({ exit: prepared.exitCode, log: prepared.exitCode === 0 ? '' : prepared.stderr.slice(-2000) }).toEqual({ exit: 0, log: '' });

    restored = await startThrowawayMariadb(mkdtempSync(join(dir, 'restored-')), { dataDir: staging });
    expect(restored.sql('SELECT id, v FROM app.t ORDER BY id')).toBe('1\tone\n2\ttwo');
  });
});
