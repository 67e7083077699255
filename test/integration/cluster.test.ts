import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, it, expect, beforeAll, afterAll } from 'vitest';
import { execa } from 'execa';
import { Cluster, DEFAULT_ROOT, downCluster, isAlive, readState, reapStaleClusters, waitFor, type Pod } from '../cluster/index.js';
import { writeState } from '../cluster/state.js';

/** Tests of the local StatefulSet harness itself (src/ARCHITECTURE.md, "Tests and the local StatefulSet"). */

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

async function namespacesOf(id: string): Promise<string[]> {
  const { stdout } = await execa('ip', ['netns', 'list']);
  return stdout.split('\n').filter((line) => line.startsWith(`${id}-`));
}

/** Runs SQL with the mariadb client inside `from`, against `host` by name; password from a 0600 option file. */
async function sqlFrom(cluster: Cluster, from: Pod, host: string, sql: string): Promise<{ exitCode: number; out: string; err: string }> {
  const args = [`--defaults-extra-file=${cluster.secrets.clientOptionFile}`, '-h', host, '--connect-timeout=2', '-N', '-B', '-e', sql];
  const result = await from.exec('mariadb', args, { reject: false, timeoutMs: 10_000 });
  return { exitCode: result.exitCode, out: result.stdout.trim(), err: result.stderr.trim() };
}

/** Resolves from inside a pod with node's resolver (c-ares, reading the pod's /etc/resolv.conf). */
const RESOLVE_SCRIPT = `
const dns = require('node:dns').promises;
const settle = (p) => p.then((v) => v, (e) => e.code);
const [srv, svc] = process.argv.slice(1);
Promise.all([settle(dns.resolveSrv(srv)), settle(dns.resolve4(svc)), settle(dns.resolve4('example.com')),
  settle(dns.resolve4('mysql-7.' + svc))]).then((r) => console.log(JSON.stringify(r)));
`;

interface SrvRecord {
  name: string;
  port: number;
}

describe('local StatefulSet cluster', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await Cluster.create();
    const started = Date.now();
    await cluster.up(3);
    console.log(`cluster ${cluster.id}: up(3) in ${Date.now() - started} ms`, cluster.listPods().map((p) => p.server.lastInit));
  });

  afterAll(async () => {
    await cluster?.down();
  });

  it('gives each pod its hostname, address, container paths and kubelet resolv.conf and hosts', async () => {
    for (const pod of cluster.listPods()) {
      expect((await pod.exec('hostname', [])).stdout).toBe(pod.name);
      expect((await pod.exec('ip', ['-4', '-o', 'addr', 'show', 'eth0'])).stdout).toContain(`inet ${pod.address}/24`);
      expect((await pod.exec('cat', ['/etc/resolv.conf'])).stdout).toBe(
        'search default.svc.cluster.local svc.cluster.local cluster.local\nnameserver 198.18.0.2\noptions ndots:5',
      );
      expect((await pod.exec('cat', ['/etc/hosts'])).stdout).toContain(`${pod.address}\t${pod.name}.mysql.default.svc.cluster.local\t${pod.name}`);
      const [row] = await pod.query('SELECT @@hostname AS h, @@datadir AS d, @@socket AS s, @@port AS p');
      expect(row).toEqual({ h: pod.name, d: '/var/lib/mysql/', s: '/run/mysqld/mysqld.sock', p: 3306 });
      // nsenter, ip netns exec, unshare and sh exec: the recorded PIDs are the real processes.
      expect(readFileSync(`/proc/${pod.pausePid}/comm`, 'utf8').trim()).toBe('sleep');
      expect(readFileSync(`/proc/${pod.server.pid ?? 0}/comm`, 'utf8').trim()).toBe('mariadbd');
    }
  });

  it('keeps the root password out of argv and in 0600 files', () => {
    const { secrets } = cluster;
    for (const file of [secrets.rootPasswordFile, secrets.clientOptionFile]) expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(readFileSync(secrets.rootPasswordFile, 'utf8')).toBe(secrets.rootPassword);
    for (const rec of cluster.processes()) {
      expect(readFileSync(`/proc/${rec.pid}/cmdline`, 'utf8'), rec.label).not.toContain(secrets.rootPassword);
    }
  });

  it('reaches every pod by its short name from every other pod, over the bridge', async () => {
    for (const from of cluster.listPods()) {
      for (const to of cluster.listPods()) {
        if (from === to) continue;
        const result = await sqlFrom(cluster, from, `${to.name}.mysql`, "SELECT @@hostname, SUBSTRING_INDEX(USER(), '@', -1)");
        // The server sees the client's pod address: the connection crossed the bridge.
        expect(result, `${from.name} -> ${to.name}`).toMatchObject({ exitCode: 0, out: `${to.name}\t${from.address}` });
      }
    }
  });

  it('publishes the SRV, pod and Service records and nothing outside the cluster', async () => {
    const { names } = cluster;
    const result = await cluster.pod(2).exec('node', ['-e', RESOLVE_SCRIPT, names.srvName(), names.serviceFqdn()]);
    const [srv, serviceA, outside, unknownPod] = JSON.parse(result.stdout) as [SrvRecord[], string[], string, string];
    expect(srv.map((r) => `${r.name}:${r.port}`).sort()).toEqual([0, 1, 2].map((n) => `mysql-${n}.mysql.default.svc.cluster.local:3306`));
    expect([...serviceA].sort()).toEqual(['198.18.0.10', '198.18.0.11', '198.18.0.12']);
    expect(outside).toBe('EREFUSED');
    expect(unknownPod).toBe('ENOTFOUND');
    // And through glibc with the search path, as mariadbd resolves its source.
    const getent = await cluster.pod(2).exec('getent', ['hosts', 'mysql-0.mysql'], { reject: false });
    expect(getent.stdout).toMatch(/^198\.18\.0\.10\s+mysql-0\.mysql\.default\.svc\.cluster\.local$/);
    expect((await cluster.pod(2).exec('getent', ['hosts', 'example.com'], { reject: false })).exitCode).toBe(2);
  });

  it('keeps every row of a pod killed with SIGKILL', async () => {
    const pod = cluster.pod(0);
    await pod.query('CREATE DATABASE harness');
    await pod.query('CREATE TABLE harness.t (id INT PRIMARY KEY, v CHAR(64) NOT NULL)');
    await pod.query('INSERT INTO harness.t SELECT seq, SHA2(seq, 256) FROM harness.seq_1_to_1000');
    const [before] = await pod.query('CHECKSUM TABLE harness.t');
    const mysqld = pod.processes().find((p) => p.label === 'mysqld');
    if (mysqld === undefined) throw new Error('mysql-0 has no mysqld process');

    await pod.killServer();
    expect(isAlive(mysqld)).toBe(false);
    await pod.startServer();

    expect(pod.server.pid).not.toBe(mysqld.pid);
    expect(await pod.query('SELECT COUNT(*) AS n FROM harness.t')).toEqual([{ n: 1000 }]);
    expect(await pod.query('CHECKSUM TABLE harness.t')).toEqual([before]);
  });

  it('keeps the volume when a pod is recreated, and initialises a lost volume afresh', async () => {
    const old = cluster.pod(2);
    await old.query('CREATE DATABASE kept');
    await old.query('CREATE TABLE kept.t (id INT PRIMARY KEY)');
    await old.query('INSERT INTO kept.t SELECT seq FROM kept.seq_1_to_100');
    const oldProcesses = old.processes();

    const pod = await cluster.recreatePod(2);
    expect(oldProcesses.filter((p) => isAlive(p))).toEqual([]);
    expect(pod.server.running).toBe(false);
    await pod.startServer();
    expect(await pod.query('SELECT COUNT(*) AS n FROM kept.t')).toEqual([{ n: 100 }]);

    await cluster.deletePod(2);
    expect(await namespacesOf(cluster.id)).not.toContain(`${cluster.id}-mysql-2`);
    expect((await cluster.pod(0).exec('getent', ['hosts', 'mysql-2.mysql'], { reject: false })).exitCode).toBe(2);
    expect(existsSync(join(pod.paths.data, 'kept', 't.ibd'))).toBe(true);

    cluster.removePodData(2);
    expect(readdirSync(pod.paths.data)).toEqual([]);
    const fresh = await cluster.addPod(2);
    await fresh.startServer();
    expect(fresh.server.lastInit?.method).toBe('template');
    expect(await fresh.query("SHOW DATABASES LIKE 'kept'")).toEqual([]);
    // root@'%' with the cluster's password exists again on the fresh server.
    expect(await sqlFrom(cluster, cluster.pod(0), 'mysql-2.mysql', 'SELECT @@hostname')).toMatchObject({ exitCode: 0, out: 'mysql-2' });
  });

  it('gives the host no route into the pod network; cutting a link partitions one pod', async () => {
    expect((await execa('ip', ['route'])).stdout).not.toContain('198.18.');
    expect((await execa('ip', ['-o', 'addr'])).stdout).not.toContain('198.18.');
    // Either no route at all, or only the default route (nothing there answers for the test subnet).
    const routeGet = await execa('ip', ['route', 'get', '198.18.0.10'], { reject: false });
    const defaultDev = / dev (\S+)/.exec((await execa('ip', ['route', 'show', 'default'])).stdout)?.[1];
    if (routeGet.exitCode === 0) expect(routeGet.stdout).toMatch(new RegExp(` via \\S+ dev ${defaultDev ?? 'none'} `));

    await cluster.cutLink(1);
    try {
      expect((await sqlFrom(cluster, cluster.pod(0), 'mysql-1.mysql', 'SELECT 1')).exitCode).not.toBe(0);
      expect(await sqlFrom(cluster, cluster.pod(2), 'mysql-0.mysql', 'SELECT 1')).toMatchObject({ exitCode: 0, out: '1' });
    } finally {
      await cluster.restoreLink(1);
    }
    expect(await sqlFrom(cluster, cluster.pod(0), 'mysql-1.mysql', 'SELECT 1')).toMatchObject({ exitCode: 0, out: '1' });
  });

  it('makes a paused server hang and a resumed one answer', async () => {
    const pod = cluster.pod(1);
    pod.pauseServer();
    try {
      expect((await sqlFrom(cluster, cluster.pod(0), 'mysql-1.mysql', 'SELECT 1')).exitCode).not.toBe(0);
    } finally {
      pod.resumeServer();
    }
    expect(await sqlFrom(cluster, cluster.pod(0), 'mysql-1.mysql', 'SELECT 1')).toMatchObject({ exitCode: 0, out: '1' });
  });

  it('stops and restarts the cluster DNS', async () => {
    await cluster.stopDns();
    expect(cluster.dnsRunning).toBe(false);
    const down = await sqlFrom(cluster, cluster.pod(0), 'mysql-1.mysql', 'SELECT 1');
    expect(down.exitCode).not.toBe(0);
    expect(down.err).toMatch(/Unknown server host/);
    await cluster.startDns();
    expect(await sqlFrom(cluster, cluster.pod(0), 'mysql-1.mysql', 'SELECT 1')).toMatchObject({ exitCode: 0, out: '1' });
  });

  it('runs a process in a pod with the agent environment and forwards its port to the test', async () => {
    const pod = cluster.pod(1);
    const server = `require('node:http').createServer((req, res) => res.end(JSON.stringify({
      hostname: require('node:os').hostname(), pod: process.env.POD_NAME, ip: process.env.POD_IP, path: req.url })))
      .listen(8080, '127.0.0.1', () => console.log('listening'));`;
    const proc = pod.spawn('node', ['-e', server], { env: pod.agentEnv(), label: 'http' });
    const response = await waitFor(async () => pod.httpGet(8080, '/status'), { what: 'the HTTP server in mysql-1', timeoutMs: 10_000 });
    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toEqual({ hostname: 'mysql-1', pod: 'mysql-1', ip: '198.18.0.11', path: '/status' });
    expect(readFileSync(proc.record.logFile, 'utf8')).toContain('listening');
    // Each pod has its own loopback: nothing listens on 8080 in mysql-0.
    await expect(cluster.pod(0).httpGet(8080, '/')).rejects.toThrow();
  });

  it('reaps a cluster whose owner is gone, without touching a live one at the same addresses', async () => {
    const other = await Cluster.create();
    try {
      const pod = await other.addPod(0);
      expect(pod.address).toBe(cluster.pod(0).address);
      const processes = other.processes();
      const state = readState(other.dir);
      if (state === undefined) throw new Error(`no state in ${other.dir}`);
      writeState({ ...state, owner: { pid: process.pid, startTime: '0' } }); // a recycled PID: not the owner

      expect(await reapStaleClusters()).toContain(other.id);
      expect(await namespacesOf(other.id)).toEqual([]);
      expect(processes.filter((p) => isAlive(p))).toEqual([]);
      expect(existsSync(other.dir)).toBe(false);
      expect(await sqlFrom(cluster, cluster.pod(1), 'mysql-0.mysql', 'SELECT @@hostname')).toMatchObject({ exitCode: 0, out: 'mysql-0' });
    } finally {
      await other.down();
    }
  });

  it('down() kills every process it started and removes namespaces, /etc/netns and the cluster dir', async () => {
    const started = cluster.startedProcesses();
    expect(started.map((p) => p.label)).toEqual(expect.arrayContaining(['pause', 'mysqld', 'dnsmasq', 'http', 'forward-8080']));
    await cluster.down();
    expect(started.filter((p) => isAlive(p))).toEqual([]);
    expect(await namespacesOf(cluster.id)).toEqual([]);
    expect(readdirSync('/etc/netns').filter((d) => d.startsWith(`${cluster.id}-`))).toEqual([]);
    expect(existsSync(cluster.dir)).toBe(false);
  });
});

describe('cli.ts', () => {
  const name = `clitest-${randomBytes(3).toString('hex')}`;
  const dir = join(DEFAULT_ROOT, name);
  const cli = (...args: string[]) => execa(process.execPath, ['--import', 'tsx', 'test/cluster/cli.ts', ...args, '--name', name], { cwd: PROJECT_ROOT });

  afterAll(async () => {
    await downCluster(dir);
  });

  it('brings up a detached cluster running the agent that outlives the command, and tears it down from the state file', async () => {
    const up = await cli('up', '1');
    expect(up.stdout, up.stderr).toContain('mysql-0  198.18.0.10');
    const state = readState(dir);
    expect(state?.owner).toBeNull();
    const processes = state?.processes ?? [];
    // The pod runs the agent's sidecar; the forwarder is how the CLI saw it answer /healthz.
    expect(processes.map((p) => p.label).sort()).toEqual(['dnsmasq', 'forward-8080', 'mysqld', 'pause', 'sidecar']);
    expect(processes.every((p) => isAlive(p))).toBe(true);
    const socket = join(dir, 'pods', 'mysql-0', 'run', 'mysqld.sock');
    const sql = await execa('mariadb', [`--defaults-extra-file=${join(dir, 'secrets', 'client.cnf')}`, '-S', socket, '-N', '-e', 'SELECT @@hostname, @@server_id']);
    expect(sql.stdout).toBe('mysql-0\t100');

    expect((await cli('status')).stdout).toMatch(/mysqld\s+pid \d+\s+running/);
    await cli('down');
    expect(processes.filter((p) => isAlive(p))).toEqual([]);
    expect(await namespacesOf(state?.id ?? 'none')).toEqual([]);
    expect(existsSync(dir)).toBe(false);
  });
});
