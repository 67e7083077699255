import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { afterAll, describe, it } from 'vitest';
import { buildHttpApp } from '../../../src/http/app.js';
import { CONNECTION_LIMITS } from '../../../src/http/limits.js';
import { createMetricsRegistry } from '../../../src/http/metrics.js';
import { deriveIdentity } from '../../../src/identity/identity.js';
import { createLogger } from '../../../src/log.js';

const identity = deriveIdentity({
  pod: { setName: 'mysql', ordinal: 0 },
  names: { serviceName: 'mysql', namespace: 'default', clusterDomain: 'cluster.local' },
  serverIdOffset: 100,
});
const ok = () => ({ ok: true, reasons: [] });

interface Served {
  readonly port: number;
  /** TCP connections the server accepted so far. */
  readonly connections: () => number;
}

const apps: FastifyInstance[] = [];
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

/** An agent HTTP app of the test's own: another test's connections neither count in it nor take its connection slots. */
async function serve(): Promise<Served> {
  const app = buildHttpApp({
    logger: createLogger({ level: 'silent', pod: identity.podName, phase: 'serve' }),
    registry: createMetricsRegistry({ identity, version: '9.9.9' }),
    alive: ok,
    health: ok,
    readiness: ok,
    status: () => ({ pod: identity.podName }),
  });
  apps.push(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  let connections = 0;
  app.server.on('connection', () => connections++);
  return { port: (app.server.address() as AddressInfo).port, connections: () => connections };
}

/** Opens a TCP connection; resolves once it is open, with a promise of its close. */
function open(port: number): Promise<{ socket: Socket; closed: Promise<void> }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((done) => socket.once('close', () => done()));
    socket.once('connect', () => resolve({ socket, closed }));
    socket.once('error', reject);
  });
}

/** Resolves with `what` once every promise settled, or rejects after `ms`. */
async function within<T>(ms: number, work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not happen within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, deadline]);
  } finally {
    clearTimeout(timer);
  }
}

function get(port: number, path: string, agent: Agent): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent }, (res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const MARGIN_MS = 4_000;

// Each test waits out a limit of seconds on a server of its own: side by side they take the longest one's time.
describe.concurrent('HTTP connection limits', () => {
  it('closes connections that never send a byte, more than the connection cap of them, and answers probes after', async ({ expect }) => {
    const { port } = await serve();
    const silent = await Promise.all(Array.from({ length: CONNECTION_LIMITS.MAX_CONNECTIONS + 44 }, () => open(port).catch(() => undefined)));
    const opened = silent.filter((entry) => entry !== undefined);
    expect(opened.length).toBeGreaterThan(CONNECTION_LIMITS.MAX_CONNECTIONS);
    await within(CONNECTION_LIMITS.FIRST_REQUEST_MS + MARGIN_MS, Promise.all(opened.map((entry) => entry.closed)), 'closing every silent connection');
    const agent = new Agent({ keepAlive: false });
    expect((await get(port, '/readyz', agent)).status).toBe(200);
  });

  it('ends a request whose headers never finish (408), however slowly it trickles', async ({ expect }) => {
    const { port } = await serve();
    const { socket, closed } = await open(port);
    let answer = '';
    socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
    socket.write('GET /readyz HTTP/1.1\r\nHost: x\r\n');
    const trickle = setInterval(() => socket.write('X-Slow: 1\r\n'), 500);
    try {
      await within(CONNECTION_LIMITS.HEADERS_MS + CONNECTION_LIMITS.CHECK_EVERY_MS + MARGIN_MS, closed, 'closing the half-sent request');
    } finally {
      clearInterval(trickle);
    }
    expect(answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('keeps a keep-alive connection (Prometheus between scrapes) open past the first-request limit', async ({ expect }) => {
    const { port, connections } = await serve();
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    expect((await get(port, '/metrics', agent)).status).toBe(200);
    await new Promise((done) => setTimeout(done, CONNECTION_LIMITS.FIRST_REQUEST_MS + 1_000));
    expect((await get(port, '/metrics', agent)).status).toBe(200);
    expect(connections()).toBe(1);
    agent.destroy();
  });
});
