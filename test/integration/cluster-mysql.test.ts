import { existsSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { Cluster, isAlive, type Pod } from '../cluster/index.js';
import { HTTP_PORT, startAgentPod } from '../cluster/agent.js';
import { MYSQL_ROOTFS } from '../cluster/mysql-image.js';
import { generatePassword } from '../cluster/secrets.js';

/**
 * The harness's MySQL 9.7 pods (k8s/overlays/mysql-9.7): mysqld from the
 * image's root filesystem, the agent's containers from the manifest, and the
 * kubelet's restart of a mysqld that exits at the end of a CLONE INSTANCE.
 */

const OVERLAY = 'k8s/overlays/mysql-9.7';

async function namespacesOf(id: string): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list']);
  return stdout.split('\n').filter((line) => line.startsWith(`${id}-`));
}

/** What a StatefulSet replica's conf.d holds while it waits for a clone (written by hand here: this test drives CLONE itself). */
const RECIPIENT_CONFIG = [
  '[mysqld]',
  'server_id = 101',
  'log_bin = mysql-bin',
  'gtid_mode = ON',
  'enforce_gtid_consistency = ON',
  'plugin-load-add = mysql_clone.so',
  'read_only = ON',
  '',
].join('\n');

async function tableFacts(pod: Pod): Promise<{ rows: unknown; checksum: unknown }> {
  const [count] = await pod.query('SELECT COUNT(*) AS n FROM shop.orders');
  const [checksum] = await pod.query('CHECKSUM TABLE shop.orders');
  return { rows: count?.['n'], checksum: checksum?.['Checksum'] };
}

describe('MySQL 9.7 pods', () => {
  let cluster: Cluster;
  let primary: Pod;

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: OVERLAY });
    const started = Date.now();
    primary = await startAgentPod(cluster, 0);
    console.log(`${OVERLAY}: mysql-0 Ready in ${Date.now() - started} ms`, primary.server.lastInit);
  });

  afterAll(async () => {
    await cluster?.down();
  });

  it('runs mysql-0 as the StatefulSet does: 9.7 identity config from init, mysqld from the image, sidecar Ready', async () => {
    expect(cluster.image).toMatchObject({ reference: 'mysql:9.7', flavor: 'mysql', rootfs: MYSQL_ROOTFS });
    const [row] = await primary.query(
      'SELECT @@server_id AS id, @@version AS version, @@gtid_mode AS gtid, @@report_host AS host, @@hostname AS hostname, @@performance_schema AS ps',
    );
    expect(row).toEqual({ id: 100, version: expect.stringMatching(/^9\.7\.4/), gtid: 'ON', host: primary.fqdn, hostname: 'mysql-0', ps: 1 });
    expect((await primary.httpGet(HTTP_PORT, '/readyz')).status).toBe(200);

    // mysqld runs chrooted in the image, and the server container's tools are the image's.
    expect(readlinkSync(`/proc/${primary.server.pid ?? 0}/root`)).toBe(MYSQL_ROOTFS);
    const version = await primary.exec('mysqladmin', ['--version'], { container: 'mysql' });
    expect(version.stdout).toMatch(/9\.7\.4/);
    // The pod's volumes went into its own view of the image, never into the shared copy on the host.
    expect(readdirSync(primary.paths.data)).toEqual(expect.arrayContaining(['mysql', 'auto.cnf', 'mysql-bin.index']));
    for (const dir of ['var/lib/mysql', 'etc/mysql/conf.d', 'run/mysqld', 'tmp', 'var/log/mysql']) {
      expect(readdirSync(join(MYSQL_ROOTFS, dir)), dir).toEqual([]);
    }
    expect(readFileSync(join(MYSQL_ROOTFS, 'etc/resolv.conf'), 'utf8')).toBe('');
  });

  it('restarts mysqld when a CLONE INSTANCE ends it, and the recipient then holds the donor data under its own server_uuid', async () => {
    const donorPassword = generatePassword();
    // The agent's identity config loads the clone plugin on every MySQL pod: the donor needs it too.
    expect(await primary.query("SELECT PLUGIN_STATUS AS status FROM information_schema.PLUGINS WHERE PLUGIN_NAME = 'clone'")).toEqual([{ status: 'ACTIVE' }]);
    await primary.query('CREATE DATABASE shop');
    await primary.query('CREATE TABLE shop.orders (id INT PRIMARY KEY, item CHAR(64) NOT NULL)');
    await primary.query(
      'INSERT INTO shop.orders WITH RECURSIVE seq(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM seq WHERE n < 1000) SELECT n, SHA2(n, 256) FROM seq',
    );
    await primary.query("CREATE USER 'donor'@'%' IDENTIFIED BY ?", [donorPassword]);
    await primary.query("GRANT BACKUP_ADMIN ON *.* TO 'donor'@'%'");

    const recipient = await cluster.addPod(1);
    writeFileSync(join(recipient.paths.confD, 'clone-recipient.cnf'), RECIPIENT_CONFIG);
    await recipient.startServer();
    expect(recipient.server.lastInit?.method).toBe('template');
    const restartsBefore = recipient.server.restartCount;
    const firstPid = recipient.server.pid;

    // The sidecar's heartbeat keeps writing on mysql-0: the clone holds at least what was there before it.
    const [{ gtids: donorBefore } = {}] = await primary.query('SELECT @@gtid_executed AS gtids');
    const started = Date.now();
    await recipient.query('SET GLOBAL clone_valid_donor_list = ?', [`${primary.fqdn}:3306`]);
    const clone = recipient.query("CLONE INSTANCE FROM 'donor'@?:3306 IDENTIFIED BY ? REQUIRE SSL", [primary.fqdn, donorPassword]);
    await expect(clone).rejects.toMatchObject({ errno: 3707, message: expect.stringMatching(/Restart server failed/) });
    await recipient.server.waitForRestarts(restartsBefore + 1, 60_000);
    console.log(`CLONE INSTANCE of mysql-0 into mysql-1, restart included: ${Date.now() - started} ms`);

    expect(recipient.server.restartCount).toBe(restartsBefore + 1);
    expect(recipient.server.pid).not.toBe(firstPid);
    expect(readFileSync(join(recipient.paths.logs, 'kubelet.log'), 'utf8')).toMatch(/mysqld exited on its own .*restart 1\)/);
    expect(await recipient.query('SELECT STATE AS state, ERROR_NO AS error FROM performance_schema.clone_status')).toEqual([{ state: 'Completed', error: 0 }]);
    expect(await tableFacts(recipient)).toEqual(await tableFacts(primary));
    const [mine] = await recipient.query('SELECT @@server_uuid AS uuid, @@server_id AS id, @@gtid_executed AS gtids');
    const [donor] = await primary.query('SELECT @@server_uuid AS uuid, @@gtid_executed AS gtids');
    expect(mine?.['uuid']).not.toBe(donor?.['uuid']);
    expect(mine?.['id']).toBe(101);
    // The recipient's transactions are exactly the donor's as of the clone: all those before it, none of its own.
    const [gtids] = await primary.query('SELECT GTID_SUBSET(?, ?) AS cloned, GTID_SUBSET(?, ?) AS fromDonor', [donorBefore, mine?.['gtids'], mine?.['gtids'], donor?.['gtids']]);
    expect(gtids).toEqual({ cloned: 1, fromDonor: 1 });
  });

  it('leaves no process and no namespace behind', async () => {
    const started = cluster.startedProcesses();
    expect(started.map((p) => p.label)).toEqual(expect.arrayContaining(['pause', 'mysqld', 'dnsmasq', 'sidecar']));
    await cluster.down();
    expect(started.filter((p) => isAlive(p))).toEqual([]);
    expect(await namespacesOf(cluster.id)).toEqual([]);
    expect(existsSync(cluster.dir)).toBe(false);
  });
});
