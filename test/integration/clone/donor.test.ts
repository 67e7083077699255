import { readFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import type { Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/clone/auth.js';
import { BACKUP_ID_HEADER, BACKUP_PATH, GO, statusPath, UPGRADE_PROTOCOL } from '../../../src/clone/protocol.js';
import { CLONE_PORT, cloneSecretFile, HTTP_PORT, setOf, startAgentPod } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { httpRequestUnix } from '../../cluster/unix-http.js';
import { isAlive } from '../../cluster/processes.js';
import { waitFor } from '../../cluster/wait.js';
import { pidsNamed } from '../../support/pod-inspect.js';

interface Opened {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The upgraded connection, on 101. */
  readonly socket: Socket | undefined;
}

/** Asks for a backup the way a recipient does (Upgrade), through the pod's forwarder. */
function open(socketPath: string, headers: Record<string, string>): Promise<Opened> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: BACKUP_PATH, headers: { ...headers, connection: 'Upgrade', upgrade: UPGRADE_PROTOCOL } });
    req.on('upgrade', (response, socket: Socket) => resolve({ status: 101, headers: response.headers, body: '', socket }));
    req.on('response', (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString(), socket: undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Sends GO and reads the whole stream. */
async function readStream(opened: Opened): Promise<Buffer> {
  const socket = opened.socket as Socket;
  const chunks: Buffer[] = [];
  socket.on('data', (chunk: Buffer) => chunks.push(chunk));
  const ended = new Promise((resolve) => socket.on('close', resolve));
  socket.write(GO);
  await ended;
  return Buffer.concat(chunks);
}

/** The backup tool is gone and the donor has booked the end of the stream (its slot is free again). */
async function waitUntilIdle(donor: Pod): Promise<void> {
  await waitFor(
    async () => {
      const tools = await pidsNamed(donor, 'mariadb-backup');
      const metrics = await donor.httpGet(HTTP_PORT, '/metrics');
      return tools.length === 0 && /^mysql_sts_clone_serving 0$/m.test(metrics.body) ? true : undefined;
    },
    { what: `${donor.name}'s donor to be idle`, timeoutMs: 10_000 },
  );
}

describe('clone donor: authentication, one backup at a time, no orphans', () => {
  let cluster: Cluster;
  let donor: Pod;
  let socket: string;
  let secret: string;
  const sign = (overrides: { secret?: string; now?: number; nonce?: string } = {}) => ({
    authorization: signRequest({ set: setOf(cluster), method: 'GET', path: BACKUP_PATH, pod: 'mysql-9', secret, ...overrides }),
  });

  beforeAll(async () => {
    cluster = await Cluster.create();
    donor = await startAgentPod(cluster, 0);
    secret = readFileSync(cloneSecretFile(cluster), 'utf8');
    socket = await donor.forward(CLONE_PORT);
  });
  afterAll(async () => {
    await cluster?.down();
  });

  const statusOf = async (id: string) => {
    const response = await httpRequestUnix({ socketPath: socket, path: statusPath(id), headers: signFor(statusPath(id)) });
    return { code: response.status, body: JSON.parse(response.body) as { status: string; reason: string; bytes: number } };
  };
  const signFor = (path: string) => ({ authorization: signRequest({ set: setOf(cluster), method: 'GET', path, pod: 'mysql-9', secret }) });

  it.each([
    ['missing', () => ({})],
    ['a wrong secret', () => sign({ secret: 'not-the-secret' })],
    ['an expired timestamp', () => sign({ now: Date.now() - 5 * 60_000 })],
    ['garbage', () => ({ authorization: 'Bearer hunter2' })],
  ])('refuses %s credentials with 401 and not one byte of data', async (_label, headers) => {
    const opened = await open(socket, headers());
    expect(opened.status).toBe(401);
    expect(opened.headers['www-authenticate']).toBe('MSA-HMAC');
    expect(JSON.parse(opened.body)).toEqual({ error: 'unauthorized' });
    const plain = await httpRequestUnix({ socketPath: socket, path: BACKUP_PATH, headers: headers() });
    expect(plain.status).toBe(401);
    expect(await pidsNamed(donor, 'mariadb-backup')).toEqual([]);
  });

  it('asks a correctly signed request without Upgrade to upgrade (426)', async () => {
    const plain = await httpRequestUnix({ socketPath: socket, path: BACKUP_PATH, headers: sign() });
    expect(plain.status).toBe(426);
    expect(plain.headers.upgrade).toBe(UPGRADE_PROTOCOL);
  });

  it('streams a complete backup and confirms it, and refuses the same credentials replayed', async () => {
    const headers = sign();
    const opened = await open(socket, headers);
    expect(opened.status).toBe(101);
    const id = String(opened.headers[BACKUP_ID_HEADER]);
    const body = await readStream(opened);
    expect(body.subarray(0, 8).toString('latin1')).toBe('XBSTCK01');
    const status = await statusOf(id);
    expect(status.code).toBe(200);
    expect(status.body.status).toBe('ok');
    // The donor samples the tool's written bytes (/proc) every 100 ms: a count, not an exact total.
    expect(status.body.bytes).toBeGreaterThan(0);
    expect(status.body.bytes).toBeLessThanOrEqual(body.length + 1_000_000);
    expect((await open(socket, headers)).status).toBe(401);
    expect((await statusOf('00000000-0000-0000-0000-000000000000')).code).toBe(404);
  });

  it('answers a second concurrent request with 429 and Retry-After; a client that disconnects leaves no backup process', async () => {
    const first = await open(socket, sign());
    expect(first.status).toBe(101);
    first.socket?.write(GO);
    await waitFor(async () => ((await pidsNamed(donor, 'mariadb-backup')).length === 1 ? true : undefined), {
      what: 'the backup tool to run',
      timeoutMs: 10_000,
    });
    const second = await open(socket, sign());
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('30');

    first.socket?.destroy();
    await waitUntilIdle(donor);
    const metrics = await donor.httpGet(HTTP_PORT, '/metrics');
    expect(metrics.body).toMatch(/^mysql_sts_clone_served_total\{result="aborted"\} 1$/m);
    expect(metrics.body).toMatch(/^mysql_sts_clone_requests_rejected_total\{reason="busy"\} 1$/m);
    const status = await statusOf(String(first.headers[BACKUP_ID_HEADER]));
    expect(status.body.status).toBe('failed');

    const after = await open(socket, sign());
    expect(after.status).toBe(101);
    await readStream(after);
    expect((await statusOf(String(after.headers[BACKUP_ID_HEADER]))).body.status).toBe('ok');
  });

  it('starts exactly one backup when two requests arrive at the same moment', async () => {
    const responses = await Promise.all([open(socket, sign()), open(socket, sign())]);
    expect(responses.map((response) => response.status).sort()).toEqual([101, 429]);
    const accepted = responses.find((response) => response.status === 101);
    await readStream(accepted as Opened);
    await waitUntilIdle(donor);
  });

  it('on SIGTERM ends the backup in flight with a failed status, leaves no backup process and exits', async () => {
    const opened = await open(socket, sign());
    expect(opened.status).toBe(101);
    const received = readStream(opened);
    await waitFor(async () => ((await pidsNamed(donor, 'mariadb-backup')).length === 1 ? true : undefined), {
      what: 'the backup tool to run',
      timeoutMs: 10_000,
    });
    const sidecar = donor.processes().find((record) => record.label === 'sidecar');
    if (sidecar === undefined) throw new Error('no sidecar');
    process.kill(sidecar.pid, 'SIGTERM');
    await received;
    await waitFor(async () => ((await pidsNamed(donor, 'mariadb-backup')).length === 0 ? true : undefined), {
      what: 'the backup tool to be gone after SIGTERM',
      timeoutMs: 10_000,
    });
    const log = await waitFor(
      async () => {
        const text = readFileSync(sidecar.logFile, 'utf8');
        return text.includes('the donor is shutting down') ? text : undefined;
      },
      { what: `the sidecar to log the end of the stream in ${sidecar.logFile}`, timeoutMs: 10_000 },
    );
    expect(log).toMatch(/"result":"aborted","reason":"aborted: the donor is shutting down"/);
    await waitFor(async () => (isAlive(sidecar) ? undefined : true), { what: 'the sidecar to exit', timeoutMs: 10_000 });
  });
});
