import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../../src/clone/auth.js';
import { BACKUP_PATH } from '../../../src/clone/protocol.js';
import { CLONE_PORT, cloneSecretFile, setOf, startAgentPod } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { httpRequestUnix } from '../../cluster/unix-http.js';
import { makeCertificates, type CertificateFiles } from '../../support/certificates.js';
import { cloneInfoOf, tableDigest } from '../../support/pod-inspect.js';

/** An HTTPS request through the pod's forwarder; resolves with the status, or the TLS error's message. */
function tlsGet(socketPath: string, options: { cert: string; key: string; ca: string; authorization: string }): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      {
        socketPath,
        path: BACKUP_PATH,
        servername: 'mysql-0.mysql.default.svc.cluster.local',
        cert: readFileSync(options.cert),
        key: readFileSync(options.key),
        ca: readFileSync(options.ca),
        headers: { authorization: options.authorization },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

describe('clone over mutual TLS', () => {
  let cluster: Cluster;
  let primary: Pod;
  let certs: CertificateFiles;
  let tlsEnv: Record<string, string>;
  const dir = mkdtempSync(join(tmpdir(), 'msa-tls-'));

  beforeAll(async () => {
    certs = await makeCertificates(dir, 'mysql.default.svc.cluster.local');
    tlsEnv = { CLONE_TLS_CERT: certs.cert, CLONE_TLS_KEY: certs.key, CLONE_TLS_CA: certs.ca };
    cluster = await Cluster.create();
    primary = await startAgentPod(cluster, 0, tlsEnv);
    await primary.query('CREATE DATABASE app');
    await primary.query('CREATE TABLE app.t (id INT PRIMARY KEY)');
    await primary.query('INSERT INTO app.t SELECT seq FROM app.seq_1_to_1000');
  });
  afterAll(async () => {
    await cluster?.down();
    rmSync(dir, { recursive: true, force: true });
  });

  it('refuses plain HTTP and clients whose certificate another CA signed', async () => {
    const socket = await primary.forward(CLONE_PORT);
    const authorization = signRequest({ set: setOf(cluster), method: 'GET', path: BACKUP_PATH, pod: 'mysql-9', secret: readFileSync(cloneSecretFile(cluster), 'utf8') });
    await expect(httpRequestUnix({ socketPath: socket, path: BACKUP_PATH, headers: { authorization } })).rejects.toThrow();
    const stranger = await tlsGet(socket, { cert: certs.strangerCert, key: certs.strangerKey, ca: certs.ca, authorization });
    expect(String(stranger)).toMatch(/alert|certificate|socket hang up|ECONNRESET/i);
    const bad = await tlsGet(socket, { cert: certs.cert, key: certs.key, ca: certs.ca, authorization: 'MSA-HMAC nonsense' });
    expect(bad).toBe(401);
  });

  it('clones a new pod over TLS, checking the donor certificate against its stable name', async () => {
    const replica = await startAgentPod(cluster, 1, tlsEnv);
    expect(cloneInfoOf(replica)?.donor).toBe('mysql-0');
    expect(await tableDigest(replica, 'app.t')).toEqual(await tableDigest(primary, 'app.t'));
  });
});
