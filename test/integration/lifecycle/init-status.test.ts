import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Answer } from 'dns-packet';
import type { ResultPromise } from 'execa';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { StatusDocument } from '../../../src/http/status-document.js';
import { waitFor } from '../../cluster/wait.js';
import { startAgent } from '../../support/agent.js';
import { FakeDnsServer } from '../../support/fake-dns-server.js';

/**
 * Init answers GET /status on HTTP_PORT while it runs (ARCHITECTURE.md, "Init
 * answers peers"), so a peer's init can tell an empty data dir from one that
 * does not answer, and closes the port on every way out so the sidecar can bind
 * it. Two inits on one host: mysql-0 on 127.0.0.1, mysql-1 on 127.0.0.2, the
 * same port, the fake DNS naming both.
 */

const SUFFIX = 'mysql.default.svc.cluster.local';
const ADDRESSES: Record<number, string> = { 0: '127.0.0.1', 1: '127.0.0.2' };

/** A port nobody listens on now (the kernel's pick, released at once). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Whether `host:port` can be bound now: the proof that init left nothing listening there. */
async function canBind(host: string, port: number): Promise<boolean> {
  const server: Server = createServer();
  const bound = await new Promise<boolean>((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(port, host, () => resolve(true));
  });
  if (bound) await new Promise((resolve) => server.close(resolve));
  return bound;
}

async function statusAt(host: string, port: number): Promise<StatusDocument | undefined> {
  const response = await fetch(`http://${host}:${port}/status`, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
  return response?.ok ? ((await response.json()) as StatusDocument) : undefined;
}

describe('init serves its status while it runs, and frees the port when it ends', () => {
  const dns = new FakeDnsServer();
  const dir = mkdtempSync(join(tmpdir(), 'msa-init-status-'));
  const started: ResultPromise[] = [];
  let port = 0;

  beforeAll(async () => {
    await dns.start();
    writeFileSync(join(dir, 'resolv.conf'), 'nameserver 127.0.0.1\n');
  });
  afterEach(() => {
    for (const subprocess of started.splice(0)) subprocess.kill('SIGKILL');
  });
  afterAll(async () => {
    await dns.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  /** The fake DNS names the set's pods `ordinals`, each at its loopback address. */
  function publish(ordinals: readonly number[]): void {
    const records: Answer[] = ordinals.map((n) => ({ type: 'A', name: `mysql-${n}.${SUFFIX}`, ttl: 5, data: ADDRESSES[n] as string }));
    dns.behave = (question) =>
      question.type === 'SRV'
        ? {
            kind: 'answer',
            answers: ordinals.map((n) => ({ type: 'SRV', name: question.name, ttl: 5, data: { target: `mysql-${n}.${SUFFIX}`, port: 3306, priority: 0, weight: 10 } })),
            additionals: records,
          }
        : { kind: 'answer', answers: records.filter((record) => record.name === question.name) };
  }

  function startInit(ordinal: number, extra: Record<string, string> = {}) {
    const env = {
      POD_NAME: `mysql-${ordinal}`,
      DATA_DIR: mkdtempSync(join(dir, 'data-')),
      STATE_DIR: mkdtempSync(join(dir, 'state-')),
      // Both inits sign and check answers with the set's secret.
      CLONE_SECRET: 'init-status-clone-secret',
      CONF_DIR: mkdtempSync(join(dir, 'conf-')),
      RESOLV_CONF: join(dir, 'resolv.conf'),
      MYSQL_FLAVOR: 'mariadb',
      DNS_SERVERS: `127.0.0.1:${dns.port}`,
      HTTP_HOST: ADDRESSES[ordinal] as string,
      HTTP_PORT: String(port),
      INIT_DEADLINE_SECONDS: '60',
      ...extra,
    };
    const subprocess = startAgent(['init'], env);
    started.push(subprocess);
    return subprocess;
  }

  beforeAll(async () => {
    port = await freePort();
  });

  it("a replica waiting for a donor answers: empty data dir, server down, not Ready, its phase; SIGTERM frees the port", async () => {
    publish([0, 1]);
    const init = startInit(1);
    const host = ADDRESSES[1] as string;
    const status = await waitFor(async () => {
      const doc = await statusAt(host, port);
      return doc?.init?.phase === 'waiting-for-donor' ? doc : undefined;
    }, { what: "mysql-1's init to say it waits for a donor", timeoutMs: 20_000 });
    expect({ pod: status.pod, role: status.role, ready: status.ready, dataDir: status.dataDir, up: status.server.up, clone: status.clone }).toEqual({
      pod: 'mysql-1',
      role: 'replica',
      ready: false,
      dataDir: 'empty',
      up: false,
      clone: null,
    });
    expect(status.init?.reason).toBe('no peer is ready to donate a clone yet (mysql-0: no answer)');
    const other = await fetch(`http://${host}:${port}/metrics`);
    expect(other.status).toBe(404);
    init.kill('SIGTERM');
    expect((await init).exitCode).toBe(8);
    expect(await canBind(host, port)).toBe(true);
  });

  it("a fresh set started in parallel: mysql-0 sees mysql-1's init answer with an empty data dir and bootstraps; both free the port", async () => {
    publish([0, 1]);
    const replica = startInit(1);
    await waitFor(async () => ((await statusAt(ADDRESSES[1] as string, port))?.init?.phase === 'waiting-for-donor' ? true : undefined), {
      what: "mysql-1's init to answer",
      timeoutMs: 20_000,
    });
    const primary = await startInit(0);
    expect(primary.exitCode, primary.stderr).toBe(0);
    expect(primary.stdout).toMatch(/"plan":"bootstrap"/);
    expect(primary.stdout).toContain('mysql-1: not ready, no data');
    expect(await canBind(ADDRESSES[0] as string, port)).toBe(true);
    replica.kill('SIGTERM');
    expect((await replica).exitCode).toBe(8);
    expect(await canBind(ADDRESSES[1] as string, port)).toBe(true);
  });

  it('a port already taken: init says so and does its job all the same (peers count it as not answering, as before)', async () => {
    publish([0]);
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(port, ADDRESSES[0] as string, resolve));
    try {
      const primary = await startInit(0);
      expect(primary.exitCode, primary.stderr).toBe(0);
      expect(primary.stdout).toContain('init cannot serve its status: peers will count this pod as not answering');
      expect(primary.stdout).toMatch(/"outcome":"bootstrap"/);
    } finally {
      await new Promise((resolve) => holder.close(resolve));
    }
  });
});
