import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOnce } from './datadir.js';
import { renderServerCnf, sqlString } from './mysql-files.js';
import { CONTAINER_PATHS } from './options.js';
import { runInRootfs } from './rootfs.js';

/**
 * What the official `mysql` image brings, for the harness's MySQL pods: the
 * server from Debian's packages in a root filesystem (test/server-rootfs.sh
 * builds it; the versions there and here must agree), the pod's my.cnf, and
 * what the image's entrypoint does on an empty data dir.
 */

/** The Debian package version test/server-rootfs.sh pins. */
export const MYSQL_DEB_VERSION = '9.7.4-2';
export const MYSQL_ROOTFS = `/var/cache/mysql-sts-agent/rootfs-mysql-${MYSQL_DEB_VERSION}`;

/** Where the pod's logs dir is mounted in the image (the set-up script makes the mount point). */
export const MYSQL_LOG_DIR = '/var/log/mysql';

/**
 * Redo log of the template and of every pod: must agree (else the first start
 * resizes it), and small keeps template copies fast (the default 100M makes a
 * 187 MB data dir; 32M makes 119 MB and initialises as fast).
 */
const REDO_LOG_CAPACITY = '32M';

/**
 * The pod's /etc/mysql/my.cnf for MySQL 9.7. Identity and replication settings
 * are the agent's job, in conf.d. performance_schema stays ON: the CLONE
 * plugin reports its progress and status there. With 9.7's defaults an idle
 * mysqld takes ~540 MB RSS; the sizes below (every instrument still on) bring
 * it to ~330 MB and start it about a second sooner: zeroing that memory is
 * most of its start on this machine.
 */
export function renderMysqlCnf(): string {
  return renderServerCnf({
    generatedBy: 'test/cluster/mysql-image.ts',
    // MySQL has no [client-server] group.
    clientGroup: 'client',
    logDir: MYSQL_LOG_DIR,
    options: [
      'innodb_buffer_pool_size = 32M',
      `innodb_redo_log_capacity = ${REDO_LOG_CAPACITY}`,
      // 9.x defaults to 64M.
      'innodb_log_buffer_size = 8M',
      'performance_schema = ON',
      // Autosized for a big server otherwise; a pod with a few clients needs far less (~150 MB saved with the log buffer).
      'performance_schema_digests_size = 1000',
      'performance_schema_events_statements_history_long_size = 1000',
      'performance_schema_accounts_size = 20',
      'performance_schema_hosts_size = 20',
      'performance_schema_users_size = 20',
    ],
  });
}

/**
 * What the mysql image's entrypoint runs on a fresh data dir, as an
 * --init-file. Idempotent (the harness runs it again if the server dies before
 * the password is confirmed); binlog off, so the accounts never replicate as
 * this server's transactions. Works under read_only=ON (root is exempt), not
 * under super_read_only=ON, like the image's own.
 */
export function renderMysqlInitSql(rootPassword: string): string {
  const pw = sqlString(rootPassword);
  return [
    'SET @@SESSION.sql_log_bin = 0;',
    `ALTER USER 'root'@'localhost' IDENTIFIED BY ${pw};`,
    `CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY ${pw};`,
    "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
    '',
  ].join('\n');
}

/** `mysqld --initialize-insecure` arguments, without the config file (the template) or with the pod's. */
export const INITIALIZE_ARGS = ['--initialize-insecure', '--user=root'];

/**
 * The initialised data dir every empty MySQL pod starts from (~3 s to build,
 * once per machine). Holds no password, and each copy drops auto.cnf (see
 * PER_POD_FILES).
 */
export function ensureMysqlTemplate(root: string): Promise<string> {
  const dir = join(root, 'templates', `mysql-${MYSQL_DEB_VERSION}-redo${REDO_LOG_CAPACITY}`);
  return buildOnce(dir, async (tmp) => {
    const scratch = mkdtempSync(join(tmpdir(), 'mysql-template-tmp-'));
    try {
      const mounts = [
        { source: tmp, target: CONTAINER_PATHS.data },
        { source: scratch, target: '/tmp' },
      ];
      const args = ['--no-defaults', ...INITIALIZE_ARGS, `--datadir=${CONTAINER_PATHS.data}`, `--innodb-redo-log-capacity=${REDO_LOG_CAPACITY}`];
      await runInRootfs(MYSQL_ROOTFS, mounts, 'mysqld', args);
    } finally {
      rmSync(scratch, { recursive: true, force: true });
    }
  });
}

/**
 * Template files that must be each pod's own: auto.cnf holds the server_uuid
 * (replication refuses a source with the replica's own uuid), and the TLS keys
 * and CA mysqld generates on first start when they are missing.
 */
export const PER_POD_FILES = [
  'auto.cnf',
  'ca.pem',
  'ca-key.pem',
  'server-cert.pem',
  'server-key.pem',
  'client-cert.pem',
  'client-key.pem',
  'private_key.pem',
  'public_key.pem',
];
