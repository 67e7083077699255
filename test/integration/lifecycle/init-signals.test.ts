import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Answer } from 'dns-packet';
import type { ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runInitContainer, spawnInitContainer, startAgentPod } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { isAlive, readStartTime } from '../../cluster/processes.js';
import { waitFor } from '../../cluster/wait.js';
import { terminationLogOf } from '../../e2e/support/bad-init.js';
import { startAgent } from '../../support/agent.js';
import { loadBulk } from '../../support/bulk-data.js';
import { makeCertificates } from '../../support/certificates.js';
import { FakeDnsServer } from '../../support/fake-dns-server.js';
import { cloneInfoOf, pidsNamed } from '../../support/pod-inspect.js';
import { descendantsOf, survivorsOf, type SeenProcess } from '../../support/process-tree.js';

/**
 * SIGTERM (the kubelet deleting a pod) at each phase of init: it must end
 * what it waits for, leave no child and no staging data behind, say why in
 * one line (stderr and the termination log) and exit 8 within 2 s
 * (ARCHITECTURE.md, "Stopping init"). The measured times are printed.
 */

const STOP_LINE = 'stopped by SIGTERM before init finished; the data dir holds no partial clone';
const DEADLINE_MS = 2_000;

interface Stopped {
  readonly exitCode: number | undefined;
  /** Init's descendants just before the signal. */
  readonly children: readonly SeenProcess[];
}

/** How the stop reaches init: `send` is the instant the 2 s start (by default, SIGTERM itself). */
interface Delivery {
  readonly what: string;
  readonly send: () => void;
}

const sigtermTo = (pid: number): Delivery => ({ what: 'SIGTERM', send: () => process.kill(pid, 'SIGTERM') });

/** Delivers the stop to `pid`, then init must have exited before the 2 s deadline; its children are sampled just before. */
async function stopAndTime(phase: string, pid: number, exited: Promise<number | undefined>, delivery: Delivery = sigtermTo(pid)): Promise<Stopped> {
  const children = descendantsOf(pid);
  const sentAt = performance.now();
  delivery.send();
  const outcome = await Promise.race([exited.then((exitCode) => ({ exitCode })), sleep(DEADLINE_MS).then(() => 'still running' as const)]);
  const ms = performance.now() - sentAt;
  console.log(`init-signals: ${phase}: ${outcome === 'still running' ? 'still running' : `exit ${outcome.exitCode}`} ${ms.toFixed(0)} ms after ${delivery.what}`);
  if (outcome === 'still running') throw new Error(`${phase}: init still ran ${DEADLINE_MS} ms after ${delivery.what}`);
  return { exitCode: outcome.exitCode, children };
}

/** What a stopped init must leave: exit 8, one line on stderr and in the termination log, no child, an empty data dir. */
function expectCleanStop(stopped: Stopped, left: { stderrLines: string[]; terminationLog: string; dataDir: string }): void {
  // One comparison, so a failure shows everything that was left wrong at once.
  expect({
    exitCode: stopped.exitCode,
    stderr: left.stderrLines,
    terminationLog: left.terminationLog,
    survivingChildren: survivorsOf(stopped.children),
    dataDir: readdirSync(left.dataDir),
  }).toEqual({
    exitCode: 8,
    stderr: [`mysql-sts-agent init: ${STOP_LINE}`],
    terminationLog: `${STOP_LINE}\n`,
    survivingChildren: [],
    dataDir: [],
  });
}

/** Node's process name: `node`, and from Node 24 on `MainThread` once its main thread has named itself. */
const NODE_THREAD_NAMES = new Set(['node', 'MainThread']);

describe('init stops on SIGTERM before it has a donor', () => {
  const SUFFIX = 'mysql.default.svc.cluster.local';
  const dns = new FakeDnsServer();
  const dir = mkdtempSync(join(tmpdir(), 'msa-init-signals-'));
  const started: ResultPromise[] = [];
  let silentPeer: Server | undefined;
  const peerConnections: Socket[] = [];

  beforeAll(async () => {
    await dns.start();
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  });
  afterEach(() => {
    for (const subprocess of started.splice(0)) subprocess.kill('SIGKILL');
    for (const socket of peerConnections.splice(0)) socket.destroy();
    silentPeer?.close();
    dns.received.length = 0;
  });
  afterAll(async () => {
    await dns.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** mysql-1's init on an empty data dir, asking the fake DNS; `wrapper` runs it under another command. */
  function startInit(extra: Record<string, string>, wrapper: readonly string[] = []) {
    const dataDir = mkdtempSync(join(dir, 'data-'));
    const terminationLog = join(mkdtempSync(join(dir, 'log-')), 'termination-log');
    writeFileSync(terminationLog, '');
    const env = {
      POD_NAME: 'mysql-1',
      DATA_DIR: dataDir,
      STATE_DIR: mkdtempSync(join(dir, 'state-')),
      CLONE_SECRET: 'init-signals-clone-secret',
      CONF_DIR: mkdtempSync(join(dir, 'conf-')),
      RESOLV_CONF: join(dir, 'resolv.conf'),
      MYSQL_FLAVOR: 'mariadb',
      TERMINATION_LOG: terminationLog,
      DNS_SERVERS: `127.0.0.1:${dns.port}`,
      ...extra,
    };
    const subprocess = startAgent(['init'], env, wrapper);
    started.push(subprocess);
    let stdout = '';
    subprocess.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')));
    const exited = subprocess.then((result) => result.exitCode);
    const left = async () => ({
      stderrLines: (await subprocess).stderr.trim().split('\n'),
      terminationLog: readFileSync(terminationLog, 'utf8'),
      dataDir,
    });
    return { subprocess, exited, stdout: () => stdout, left };
  }

  it('discovery: a DNS server that never answers', async () => {
    dns.behave = () => ({ kind: 'silence' });
    const init = startInit({ DNS_TIMEOUT_MS: '30000', DNS_ATTEMPTS: '3' });
    await waitFor(async () => (dns.received.length > 0 ? true : undefined), { what: 'init to ask DNS', timeoutMs: 10_000, intervalMs: 5 });
    const stopped = await stopAndTime('discovery (silent DNS)', init.subprocess.pid as number, init.exited);
    expectCleanStop(stopped, await init.left());
    expect(dns.received).toHaveLength(1);
  });

  it('discovery: a peer whose sidecar accepts the connection and never answers /status', async () => {
    const server = createServer((socket) => peerConnections.push(socket));
    silentPeer = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    if (address === null || typeof address === 'string') throw new Error('the silent peer has no port');
    const peer: Answer[] = [{ type: 'A', name: `mysql-0.${SUFFIX}`, ttl: 5, data: '127.0.0.1' }];
    dns.behave = (question) =>
      question.type === 'SRV'
        ? { kind: 'answer', answers: [{ type: 'SRV', name: question.name, ttl: 5, data: { target: `mysql-0.${SUFFIX}`, port: 3306, priority: 0, weight: 10 } }], additionals: peer }
        : { kind: 'answer', answers: peer };
    const init = startInit({ HTTP_PORT: String(address.port) });
    await waitFor(async () => (peerConnections.length > 0 ? true : undefined), { what: 'init to ask the peer', timeoutMs: 10_000, intervalMs: 5 });
    const stopped = await stopAndTime('discovery (silent peer)', init.subprocess.pid as number, init.exited);
    expectCleanStop(stopped, await init.left());
  });

  /** Waits until init has logged a retry with a wait of at least `atLeastMs` ahead: it is in the backoff sleep. */
  async function waitForBackoff(stdout: () => string, atLeastMs: number): Promise<void> {
    const waits = () => [...stdout().matchAll(/"retryInMs":(\d+),"msg":"not ready to initialise the data dir yet"/g)].map((match) => Number(match[1]));
    await waitFor(async () => (waits().some((ms) => ms >= atLeastMs) ? true : undefined), { what: `a backoff of ${atLeastMs} ms or more`, timeoutMs: 30_000, intervalMs: 5 });
  }

  it('waiting for a donor: the backoff between rounds', async () => {
    dns.behave = () => ({ kind: 'rcode', rcode: 'NXDOMAIN' });
    const init = startInit({});
    await waitForBackoff(init.stdout, 300);
    const stopped = await stopAndTime('waiting for a donor (backoff)', init.subprocess.pid as number, init.exited);
    expectCleanStop(stopped, await init.left());
  });

  it('waiting for a donor as PID 1 of its own PID namespace (node as the images run it)', async () => {
    dns.behave = () => ({ kind: 'rcode', rcode: 'NXDOMAIN' });
    const init = startInit({}, ['unshare', '--pid', '--kill-child']);
    // PID 1 gets only the signals it has a handler for: without one, SIGTERM is ignored.
    const pid1 = await waitFor(async () => descendantsOf(init.subprocess.pid as number).find((seen) => NODE_THREAD_NAMES.has(seen.comm)), {
      what: 'node under unshare',
      timeoutMs: 10_000,
    });
    await waitForBackoff(init.stdout, 300);
    const stopped = await stopAndTime('waiting for a donor (PID 1)', pid1.pid, init.exited);
    expectCleanStop(stopped, await init.left());
  });
});

/** The stream's two shapes: the socket handed to the extractor, or (with TLS) piped through node. */
const STREAMS = [
  { stream: 'a socket handed to mbstream', tls: false },
  { stream: 'mutual TLS, piped through node', tls: true },
];

describe.each(STREAMS)('init stops on SIGTERM while it clones from a real donor ($stream)', ({ tls }) => {
  let cluster: Cluster;
  let donor: Pod;
  let recipient: Pod;
  let env: Record<string, string> = {};
  const dir = mkdtempSync(join(tmpdir(), 'msa-init-signals-tls-'));

  beforeAll(async () => {
    if (tls) {
      const certs = await makeCertificates(dir, 'mysql.default.svc.cluster.local');
      env = { CLONE_TLS_CERT: certs.cert, CLONE_TLS_KEY: certs.key, CLONE_TLS_CA: certs.ca };
    }
    cluster = await Cluster.create();
    donor = await startAgentPod(cluster, 0, env);
    await donor.query('CREATE DATABASE app');
    await loadBulk(donor);
    recipient = await cluster.addPod(1);
  });
  afterAll(async () => {
    await cluster?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The recipient's init in the background; stops it once `ready` holds for init's PID (with SIGTERM, unless `deliver` says how). */
  async function stopInitWhen(phase: string, ready: (pid: number) => Promise<boolean>, deliver: (pid: number) => Promise<Delivery> = async (pid) => sigtermTo(pid)) {
    const terminationLog = terminationLogOf(recipient);
    terminationLog.reset();
    const label = `init-sigterm-${phase}`;
    const init = spawnInitContainer(cluster, recipient, label, env);
    await waitFor(async () => ((await ready(init.pid)) ? true : undefined), { what: `${recipient.name}'s init to be ${phase}`, timeoutMs: 60_000, intervalMs: 2 });
    const stopped = await stopAndTime(`${phase}${tls ? ' (TLS)' : ''}`, init.pid, init.exited.then((exit) => exit.exitCode), await deliver(init.pid));
    const log = readFileSync(join(recipient.paths.logs, `${label}.log`), 'utf8');
    const stderrLines = log.trim().split('\n').filter((line) => !line.startsWith('{'));
    expectCleanStop(stopped, { stderrLines, terminationLog: terminationLog.read(), dataDir: recipient.paths.data });
    return { stopped, log };
  }

  const running = (pid: number, comm: string) => descendantsOf(pid).some((seen) => seen.comm === comm);

  it('streaming: the extractor is killed, the donor\'s backup ends with the connection', async () => {
    const staging = join(recipient.paths.data, '.mysql-sts-agent', 'staging');
    let donorBackup: { pid: number; startTime: string } | undefined;
    const { stopped, log } = await stopInitWhen('streaming', async (pid) => {
      if (!running(pid, 'mbstream') || !existsSync(staging) || readdirSync(staging).length === 0) return false;
      const [backup] = await pidsNamed(donor, 'mariadb-backup');
      const startTime = backup === undefined ? undefined : readStartTime(backup);
      donorBackup = backup === undefined || startTime === undefined ? undefined : { pid: backup, startTime };
      return donorBackup !== undefined;
    });
    expect(stopped.children.map((child) => child.comm)).toContain('mbstream');
    expect(log).not.toContain('received the backup; preparing');
    const backup = donorBackup as { pid: number; startTime: string };
    await waitFor(async () => (isAlive(backup) ? undefined : true), { what: `${donor.name}'s backup to end once the recipient hung up`, timeoutMs: 30_000 });
    // Ended because the recipient hung up (aborted, or the tool died of the closed pipe), not run to its end into a connection nobody reads.
    const ended = await waitFor(
      async () => {
        const sidecarLog = readFileSync(join(donor.paths.logs, 'sidecar.log'), 'utf8');
        const line = sidecarLog.split('\n').find((text) => text.includes('"msg":"backup stream ended"'));
        return line === undefined ? undefined : (JSON.parse(line) as { result: string; reason: string });
      },
      { what: `${donor.name} to log the end of the backup`, timeoutMs: 10_000 },
    );
    console.log(`init-signals: streaming${tls ? ' (TLS)' : ''}: the donor's backup ended: ${ended.result}: ${ended.reason}`);
    expect(ended.result).not.toBe('ok');
  });

  it('preparing: mariadb-backup --prepare is killed', async () => {
    const { stopped, log } = await stopInitWhen('preparing', async (pid) => running(pid, 'mariadb-backup'));
    expect(stopped.children.map((child) => child.comm)).toContain('mariadb-backup');
    expect(log).toContain('received the backup; preparing');
    expect(log).not.toContain('clone complete');
  });

  it('prepared, not committed: a SIGTERM that is pending when the prepare ends never commits', async () => {
    const { stopped, log } = await stopInitWhen(
      'prepared',
      async (pid) => running(pid, 'mariadb-backup'),
      async (pid) => {
        // Frozen, init cannot act on the SIGTERM until the prepare has finished: both reach it at once on SIGCONT.
        const prepare = descendantsOf(pid).find((seen) => seen.comm === 'mariadb-backup') as SeenProcess;
        process.kill(pid, 'SIGSTOP');
        process.kill(pid, 'SIGTERM');
        await waitFor(async () => (isAlive(prepare) ? undefined : true), { what: 'the prepare to finish while init is frozen', timeoutMs: 60_000 });
        return { what: 'SIGCONT (SIGTERM pending)', send: () => process.kill(pid, 'SIGCONT') };
      },
    );
    expect(stopped.children.map((child) => child.comm)).toContain('mariadb-backup');
    expect(log).not.toContain('clone complete');
  });

  it('a following init clones cleanly into the data dir the stopped ones left', async () => {
    const result = await runInitContainer(cluster, recipient, env);
    expect(result.exitCode, result.stderr).toBe(0);
    expect(cloneInfoOf(recipient)?.donor).toBe('mysql-0');
    expect(existsSync(join(recipient.paths.state, 'initialized'))).toBe(true);
    expect(existsSync(join(recipient.paths.data, '.mysql-sts-agent', 'staging'))).toBe(false);
  });
});
