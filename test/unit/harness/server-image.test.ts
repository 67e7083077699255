import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';
import type { Workload } from '../../cluster/manifest.js';
import { MYSQL_DEB_VERSION, MYSQL_ROOTFS, PER_POD_FILES, renderMysqlCnf, renderMysqlInitSql } from '../../cluster/mysql-image.js';
import { podCommandLine } from '../../cluster/pod-commands.js';
import { serverImageFor } from '../../cluster/server-image.js';

/** The server images the harness plays, and how commands reach a container with its own root filesystem. */

function workloadWithServer(image: string): Workload {
  const pod: IPodSpec = { containers: [{ name: 'mysql', image }, { name: 'agent', image: 'agent:0.1.0' }] };
  return { name: 'mysql', serviceName: 'mysql', pod, secrets: new Map(), claimName: 'data', podManagementPolicy: 'OrderedReady' };
}

describe('serverImageFor', () => {
  it('plays mariadb:* with the host MariaDB, as before: no rootfs, no restarts of its own', () => {
    expect(serverImageFor(workloadWithServer('mariadb:10.11'))).toMatchObject({
      reference: 'mariadb:10.11',
      flavor: 'mariadb',
      daemon: 'mariadbd',
      rootfs: undefined,
      restartOnExit: false,
      perPodFiles: [],
    });
  });

  it('refuses a server image it has no root filesystem for, naming the ones it runs', () => {
    expect(() => serverImageFor(workloadWithServer('mysql:8.4'))).toThrow(/runs mariadb:\* and mysql:9\.7 server images; .* has mysql:8\.4/);
  });
});

describe('the mysql:9.7 image', () => {
  it('uses the rootfs test/server-rootfs.sh builds (one pinned version in both)', () => {
    const script = readFileSync(new URL('../../server-rootfs.sh', import.meta.url), 'utf8');
    expect(/^MYSQL_DEB_VERSION=(\S+)$/m.exec(script)?.[1]).toBe(MYSQL_DEB_VERSION);
    expect(script).toContain('CACHE_DIR=/var/cache/mysql-sts-agent');
    expect(MYSQL_ROOTFS).toBe(`/var/cache/mysql-sts-agent/rootfs-mysql-${MYSQL_DEB_VERSION}`);
  });

  it("sets root's password like the official entrypoint: binlog off, MySQL syntax, idempotent, quoted", () => {
    const sql = renderMysqlInitSql("it's\\secret");
    expect(sql.split('\n')).toEqual([
      'SET @@SESSION.sql_log_bin = 0;',
      "ALTER USER 'root'@'localhost' IDENTIFIED BY 'it\\'s\\\\secret';",
      "CREATE USER IF NOT EXISTS 'root'@'%' IDENTIFIED BY 'it\\'s\\\\secret';",
      "GRANT ALL ON *.* TO 'root'@'%' WITH GRANT OPTION;",
      '',
    ]);
  });

  it('writes a my.cnf MySQL 9.7 accepts: performance_schema on, no removed options, conf.d included', () => {
    const cnf = renderMysqlCnf();
    expect(cnf).toMatch(/^performance_schema = ON$/m);
    expect(cnf).not.toMatch(/innodb_log_file_size|mysql_native_password|\[client-server\]/);
    expect(cnf).toMatch(/^socket = \/run\/mysqld\/mysqld\.sock$/m);
    expect(cnf.trimEnd().split('\n').at(-1)).toBe('!includedir /etc/mysql/conf.d/');
  });

  it('gives every pod its own server_uuid: auto.cnf never comes from the template', () => {
    expect(PER_POD_FILES).toContain('auto.cnf');
  });
});

describe('podCommandLine', () => {
  it('enters the pod, then the image: chroot, and env --chdir for a working directory', () => {
    expect(podCommandLine({ pausePid: 42, cmd: 'mysqladmin', args: ['ping'], rootfs: '/img' })).toEqual({
      file: 'nsenter',
      args: ['--target', '42', '--net', '--uts', '--mount', '--wd=/', '--', 'chroot', '/img', 'mysqladmin', 'ping'],
    });
    expect(podCommandLine({ pausePid: 42, cmd: 'ls', args: [], rootfs: '/img', cwd: '/var/lib/mysql' }).args.slice(-5)).toEqual([
      '/img',
      'env',
      '--chdir=/var/lib/mysql',
      '--',
      'ls',
    ]);
    expect(podCommandLine({ pausePid: 42, cmd: 'hostname', args: [], cwd: '/tmp' }).args).toEqual(['--target', '42', '--net', '--uts', '--mount', '--wd=/tmp', '--', 'hostname']);
  });
});
