import { readFileSync } from 'node:fs';
import { request, type IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/clone/auth.js';
import { BACKUP_PATH } from '../../../src/clone/donor.js';
import { CLONE_PORT, cloneSecretFile, HTTP_PORT, startAgentPod } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { httpRequestUnix } from '../../cluster/unix-http.js';
import { isAlive } from '../../cluster/processes.js';
import { waitFor } from '../../cluster/wait.js';
import { pidsNamed } from '../../support/pod-inspect.js';

/** Opens a backup request through the pod's forwarder and resolves with the response head. */
function open(socketPath: string, headers: Record<string, string>): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ socketPath, path: BACKUP_PATH, headers }, resolve);
    req.on('error', reject);
    req.end();
  });
}

async function readAll(response: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of response) chunks.push(chunk as Buffer);
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
    authorization: signRequest({ method: 'GET', path: BACKUP_PATH, pod: 'mysql-9', secret, ...overrides }),
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

  it.each([
    ['missing', () => ({})],
    ['a wrong secret', () => sign({ secret: 'not-the-secret' })],
    ['an expired timestamp', () => sign({ now: Date.now() - 5 * 60_000 })],
    ['garbage', () => ({ authorization: 'Bearer hunter2' })],
  ])('refuses %s credentials with 401 and not one byte of data', async (_label, headers) => {
    const response = await httpRequestUnix({ socketPath: socket, path: BACKUP_PATH, headers: headers() });
    expect(response.status).toBe(401);
    expect(response.headers['www-authenticate']).toBe('MSA-HMAC');
    expect(JSON.parse(response.body)).toEqual({ error: 'unauthorized' });
    expect(await pidsNamed(donor, 'mariadb-backup')).toEqual([]);
  });

  it('streams a complete backup with an ok trailer, and refuses the same credentials replayed', async () => {
    const headers = sign();
    const response = await open(socket, headers);
    expect(response.statusCode).toBe(200);
    const body = await readAll(response);
    expect(body.subarray(0, 8).toString('latin1')).toBe('XBSTCK01');
    expect(response.trailers['x-backup-status']).toBe('ok');
    const replay = await httpRequestUnix({ socketPath: socket, path: BACKUP_PATH, headers });
    expect(replay.status).toBe(401);
  });

  it('answers a second concurrent request with 429 and Retry-After; a client that disconnects leaves no backup process', async () => {
    const first = await open(socket, sign());
    expect(first.statusCode).toBe(200);
    await waitFor(async () => ((await pidsNamed(donor, 'mariadb-backup')).length === 1 ? true : undefined), {
      what: 'the backup tool to run',
      timeoutMs: 10_000,
    });
    const second = await httpRequestUnix({ socketPath: socket, path: BACKUP_PATH, headers: sign() });
    expect(second.status).toBe(429);
    expect(second.headers['retry-after']).toBe('30');

    first.destroy();
    await waitFor(async () => ((await pidsNamed(donor, 'mariadb-backup')).length === 0 ? true : undefined), {
      what: 'the backup tool to be gone after the client left',
      timeoutMs: 10_000,
    });
    // The donor books the outcome once the tool has exited and its temp files are gone.
    const metrics = await waitFor(
      async () => {
        const response = await donor.httpGet(HTTP_PORT, '/metrics');
        return /^mysql_sts_clone_served_total\{result="aborted"\} 1$/m.test(response.body) ? response : undefined;
      },
      { what: 'the aborted backup in the metrics', timeoutMs: 10_000 },
    );
    expect(metrics.body).toMatch(/^mysql_sts_clone_served_total\{result="aborted"\} 1$/m);
    expect(metrics.body).toMatch(/^mysql_sts_clone_requests_rejected_total\{reason="busy"\} 1$/m);
    expect(metrics.body).toMatch(/^mysql_sts_clone_serving 0$/m);

    const after = await open(socket, sign());
    expect(after.statusCode).toBe(200);
    await readAll(after);
    expect(after.trailers['x-backup-status']).toBe('ok');
  });

  it('starts exactly one backup when two requests arrive at the same moment', async () => {
    const responses = await Promise.all([open(socket, sign()), open(socket, sign())]);
    expect(responses.map((response) => response.statusCode).sort()).toEqual([200, 429]);
    for (const response of responses) response.destroy();
    await waitUntilIdle(donor);
  });

  it('on SIGTERM ends the backup in flight with a failed status, leaves no backup process and exits', async () => {
    const response = await open(socket, sign());
    expect(response.statusCode).toBe(200);
    const sidecar = donor.processes().find((record) => record.label === 'sidecar');
    if (sidecar === undefined) throw new Error('no sidecar');
    process.kill(sidecar.pid, 'SIGTERM');
    const body = await readAll(response).catch(() => Buffer.alloc(0));
    expect(response.trailers['x-backup-status'] ?? 'no trailer').not.toBe('ok');
    expect(body.length).toBeGreaterThanOrEqual(0);
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
