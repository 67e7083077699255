import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../cluster/wait.js';
import { freePort } from '../../support/free-port.js';
import { runAgent, startAgent } from '../../support/agent.js';

const dir = mkdtempSync(join(tmpdir(), 'msa-cli-'));
const resolvConf = join(dir, 'resolv.conf');
writeFileSync(resolvConf, 'nameserver 127.0.0.1\n');
const terminationLog = join(dir, 'termination-log');
writeFileSync(terminationLog, 'stale text from an earlier run that is longer than the new one\n');

/** Never the machine's own /var/lib/mysql: every run gets a data dir of its own. */
const env = (extra: Record<string, string>) => ({
  DATA_DIR: mkdtempSync(join(dir, 'data-')),
  STATE_DIR: mkdtempSync(join(dir, 'state-')),
  RESOLV_CONF: resolvConf,
  MYSQL_FLAVOR: 'mariadb',
  TERMINATION_LOG: terminationLog,
  // An empty data dir's init checks its peers' answers with it (it is read before DNS is asked).
  CLONE_SECRET: 'cli-test-clone-secret',
  ...extra,
});

/** A data dir a previous init completed: server files, its id, and the marker in the state dir naming that id. */
function initializedDataDir(): { DATA_DIR: string; STATE_DIR: string } {
  const dataDir = mkdtempSync(join(dir, 'data-'));
  const stateDir = mkdtempSync(join(dir, 'state-'));
  mkdirSync(join(dataDir, 'mysql'));
  writeFileSync(join(dataDir, 'mysql-sts-agent.id'), 'c0ffee\n');
  writeFileSync(join(stateDir, 'initialized'), '{"how":"clone","at":"2026-01-01T00:00:00.000Z","dataDirId":"c0ffee"}\n');
  return { DATA_DIR: dataDir, STATE_DIR: stateDir };
}

describe('mysql-sts-agent CLI', () => {
  it('prints usage with --help and the version with --version', async () => {
    const help = await runAgent(['--help'], {});
    expect(help.exitCode).toBe(0);
    expect(help.stdout).toMatch(/^Usage: mysql-sts-agent <command>/);
    const version = await runAgent(['--version'], {});
    const pkg = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(version.stdout.trim()).toBe(pkg.version);
  });

  it.each([[['bogus']], [['init', '--force']], [[]]])('exits 2 with usage for %j', async (args) => {
    const result = await runAgent(args, {});
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('Usage: mysql-sts-agent');
  });

  it('init writes server_id = 100 + ordinal, and a second run changes nothing', async () => {
    const confDir = mkdtempSync(join(dir, 'conf-'));
    const dataDir = initializedDataDir();
    const first = await runAgent(['init'], env({ POD_NAME: 'mysql-2', CONF_DIR: confDir, ...dataDir }));
    expect(first.exitCode).toBe(0);
    const path = join(confDir, 'mysql-sts-agent.cnf');
    const text = readFileSync(path, 'utf8');
    expect(text).toMatch(/^server_id = 102$/m);
    expect(text).toMatch(/^report_host = mysql-2\.mysql\.default\.svc\.cluster\.local$/m);
    expect(text).toMatch(/^read_only = ON$/m);
    const events = first.stdout.trim().split('\n').map((line) => JSON.parse(line) as Record<string, unknown>);
    // Every event carries the pod and the phase (the status server for peers logs before the config is written).
    for (const event of events) expect(event).toMatchObject({ pod: 'mysql-2', phase: 'init' });
    expect(events.filter((event) => event.msg === 'wrote the identity config')).toEqual([expect.objectContaining({ level: 'info' })]);

    const before = statSync(path);
    await sleep(20);
    const second = await runAgent(['init'], env({ POD_NAME: 'mysql-2', CONF_DIR: confDir, ...dataDir }));
    expect(second.exitCode).toBe(0);
    expect(second.stdout).toContain('identity config already up to date');
    expect(second.stdout).toContain('data dir already initialized: nothing to do');
    expect(statSync(path).mtimeMs).toBe(before.mtimeMs);
    expect(readFileSync(path, 'utf8')).toBe(text);
  });

  it('init with a pod name without an ordinal exits 3 with one line naming the problem, and writes nothing', async () => {
    const confDir = mkdtempSync(join(dir, 'conf-'));
    const result = await runAgent(['init'], env({ POD_NAME: 'mysql', CONF_DIR: confDir }));
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'mysql-sts-agent init: invalid configuration: POD_NAME: pod name "mysql" has no ordinal: expected <statefulset>-<ordinal> such as mysql-0',
    ]);
    expect(readFileSync(terminationLog, 'utf8')).toBe(`${result.stderr.trim().replace('mysql-sts-agent init: ', '')}\n`);
    expect(() => statSync(join(confDir, 'mysql-sts-agent.cnf'))).toThrow();
  });

  it('init with an empty data dir and no DNS gives up at its deadline with exit 4, naming the DNS failure, and leaves the dir empty', async () => {
    const dataDir = mkdtempSync(join(dir, 'data-'));
    const result = await runAgent(
      ['init'],
      env({ POD_NAME: 'mysql-1', CONF_DIR: mkdtempSync(join(dir, 'conf-')), DATA_DIR: dataDir, INIT_DEADLINE_SECONDS: '2', DNS_SERVERS: '127.0.0.1:9', DNS_ATTEMPTS: '1' }),
    );
    expect(result.exitCode).toBe(4);
    expect(result.stderr.trim()).toMatch(
      /^mysql-sts-agent init: failed to discover peers: failed to resolve SRV _mysql\._tcp\.mysql\.default\.svc\.cluster\.local: 127\.0\.0\.1:9 refused the connection/,
    );
    expect(result.stdout).toContain('not ready to initialise the data dir yet');
    expect(readdirSync(dataDir)).toEqual([]);
  });

  it('init refuses server files its marker does not vouch for (the image initialised a server over a wiped data dir): exit 6, one line, nothing touched', async () => {
    const dirs = initializedDataDir();
    rmSync(join(dirs.DATA_DIR, 'mysql-sts-agent.id'));
    writeFileSync(join(dirs.DATA_DIR, 'ibdata1'), 'a fresh server');
    const result = await runAgent(['init'], env({ POD_NAME: 'mysql-0', CONF_DIR: mkdtempSync(join(dir, 'conf-')), ...dirs }));
    expect(result.exitCode).toBe(6);
    expect(result.stderr.trim().split('\n')).toEqual([
      `mysql-sts-agent init: the marker vouches for the data dir with the id c0ffee, but ${dirs.DATA_DIR} has no id file: these are not the files the marker was written for. If this pod's data is lost, empty ${dirs.DATA_DIR} (hidden files too) and restart the pod to clone it again; to keep these files as they are, delete ${dirs.STATE_DIR}/initialized and restart the pod`,
    ]);
    expect(readdirSync(dirs.DATA_DIR).sort()).toEqual(['ibdata1', 'mysql']);
    expect(readdirSync(dirs.STATE_DIR)).toEqual(['initialized']);
  });

  it('init takes a marker over a glob-wiped data dir for a lost volume: the marker becomes `lost` and mysql-0 asks its peers instead of starting empty', async () => {
    const dirs = initializedDataDir();
    for (const name of ['mysql', 'mysql-sts-agent.id']) rmSync(join(dirs.DATA_DIR, name), { recursive: true });
    const result = await runAgent(
      ['init'],
      env({ POD_NAME: 'mysql-0', CONF_DIR: mkdtempSync(join(dir, 'conf-')), ...dirs, INIT_DEADLINE_SECONDS: '1', DNS_SERVERS: '127.0.0.1:9', DNS_ATTEMPTS: '1' }),
    );
    expect(result.exitCode).toBe(4);
    expect(result.stdout).toContain("this pod's data is gone but its marker is not: treating it as a lost volume");
    expect(readdirSync(dirs.STATE_DIR)).toEqual(['lost']);
    expect(readdirSync(dirs.DATA_DIR)).toEqual([]);
  });

  it('init names a conf dir it cannot write, with exit code 3', async () => {
    const result = await runAgent(['init'], env({ POD_NAME: 'mysql-0', CONF_DIR: join(dir, 'does-not-exist') }));
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toMatch(/failed to write the identity config .*does-not-exist\/mysql-sts-agent\.cnf \(ENOENT\): check that CONF_DIR/);
  });

  it('never echoes a secret in its error line', async () => {
    const result = await runAgent(['init'], env({ POD_NAME: 'bad', CLONE_SECRET: 'hunter2-secret', CLONE_SECRET_FILE: '/x' }));
    expect(result.exitCode).toBe(3);
    expect(result.stderr).toContain('CLONE_SECRET and CLONE_SECRET_FILE are both set');
    expect(result.stderr + result.stdout).not.toContain('hunter2-secret');
  });
});

/** A replica's sidecar on `port` whose server is not there: nothing listens on MYSQL_PORT, so it must still serve, and say the server is down. */
async function serveEnv(port: number, extra: Record<string, string>): Promise<Record<string, string>> {
  return env({
    POD_NAME: 'mysql-1',
    HTTP_HOST: '127.0.0.1',
    HTTP_PORT: String(port),
    CLONE_PORT: String(await freePort()),
    MYSQL_PORT: String(await freePort()),
    MYSQL_ROOT_PASSWORD: 'root-pw-never-shown',
    REPLICATION_PASSWORD: 'repl-pw-never-shown',
    AGENT_PASSWORD: 'agent-pw-never-shown',
    CLONE_SECRET: 'clone-secret-never-shown',
    ...extra,
  });
}

describe('mysql-sts-agent serve and status', () => {
  let serve: ReturnType<typeof startAgent> | undefined;
  afterEach(() => {
    if (serve?.pid !== undefined && serve.exitCode === undefined) serve.kill('SIGKILL');
  });

  it('serves /healthz, /readyz, /status and /metrics honestly with its server down, is read by `status`, and exits 0 on SIGTERM', async () => {
    const port = await freePort();
    serve = startAgent(['serve'], await serveEnv(port, {}));
    const base = `http://127.0.0.1:${port}`;
    const health = await waitFor(async () => fetch(`${base}/healthz`), { what: 'serve to answer /healthz', timeoutMs: 10_000 });
    // Nothing listens on MYSQL_PORT: alive means "the loop runs and mysqld answers", so not alive, and not ready.
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toMatch(/the server does not answer: .*ECONNREFUSED/);
    const ready = await fetch(`${base}/readyz`);
    expect(ready.status).toBe(503);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toContain('mysql_sts_agent_info{pod="mysql-1",role="replica"');
    expect(metrics).toMatch(/^mysql_sts_server_up 0$/m);
    expect(metrics).toMatch(/^mysql_sts_replication_lag_known 0$/m);
    expect(metrics).toMatch(/^mysql_sts_replication_lag_seconds nan$/im);

    const status = await runAgent(['status', '--json'], { HTTP_PORT: String(port) });
    expect(status.exitCode).toBe(0);
    expect(JSON.parse(status.stdout)).toMatchObject({
      pod: 'mysql-1',
      role: 'replica',
      serverId: 101,
      ready: false,
      dataDir: 'empty',
      server: { up: false },
    });
    expect(status.stdout).toMatch(/"reasons": \[\s+"the server does not answer: .*ECONNREFUSED/);
    const human = await runAgent(['status', '--url', base], {});
    expect(human.stdout).toMatch(/^mysql-1 \(replica, server_id 101\): NOT READY$/m);
    expect(human.stdout).toMatch(/^server:      down \(.*ECONNREFUSED/m);

    const pid = serve.pid as number;
    process.kill(pid, 'SIGTERM');
    const result = await serve;
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toContain('"msg":"shutting down"');
    expect(result.stdout + result.stderr).not.toMatch(/never-shown/);
  });

  it.each([
    ['truncated', '{"donor":"mysql-0","coordi', /^not JSON/],
    ['{}', '{}', /^"coordinates" is not an object$/],
    ['random bytes', '\u0000\u00ff\u0013\u0007', /^not JSON/],
  ])('serves on with a %s clone.json: /status, the metric and one log line name the file and the fix', async (_name, content, problem) => {
    const port = await freePort();
    const stateDir = mkdtempSync(join(dir, 'state-'));
    writeFileSync(join(stateDir, 'clone.json'), content);
    serve = startAgent(['serve'], await serveEnv(port, { STATE_DIR: stateDir }));
    const base = `http://127.0.0.1:${port}`;
    const status = await waitFor(async () => (await fetch(`${base}/status`)).json() as Promise<{ damagedFiles: unknown }>, { what: 'serve to answer /status', timeoutMs: 30_000 });
    expect(status.damagedFiles).toEqual([{ file: 'clone.json', problem: expect.stringMatching(problem), fix: expect.stringContaining(`delete ${stateDir}/clone.json`) }]);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/^mysql_sts_state_file_damaged\{file="clone.json"\} 1$/m);
    expect(metrics).toMatch(/^mysql_sts_state_file_damaged\{file="initialized"\} 0$/m);
    process.kill(serve.pid as number, 'SIGTERM');
    const result = await serve;
    expect(result.exitCode).toBe(0);
    const damageLines = result.stdout.split('\n').filter((line) => line.includes('"msg":"damaged state file clone.json: '));
    expect(damageLines).toHaveLength(1);
    expect(JSON.parse(damageLines[0] ?? '{}')).toMatchObject({ level: 'error', file: 'clone.json', problem: expect.stringMatching(problem) });
  });

  it('refuses to serve without the secrets it needs, naming them', async () => {
    const result = await runAgent(['serve'], env({ POD_NAME: 'mysql-1', HTTP_PORT: String(await freePort()) }));
    expect(result.exitCode).toBe(3);
    expect(result.stderr.trim()).toBe(
      "mysql-sts-agent serve: invalid configuration: MYSQL_ROOT_PASSWORD (or MYSQL_ROOT_PASSWORD_FILE) is unset: the primary's sidecar creates the users with it",
    );
  });

  it('status says which address it could not reach, with exit code 7', async () => {
    const port = await freePort();
    const result = await runAgent(['status'], { HTTP_PORT: String(port) });
    expect(result.exitCode).toBe(7);
    expect(result.stderr).toContain(`failed to read status from http://127.0.0.1:${port}/status`);
  });
});

