import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setIdentity } from '../../../src/clone/auth.js';
import { getPeerCandidates, type Asker } from '../../../src/clone/peer-status.js';
import { planFromPeers } from '../../../src/clone/plan.js';
import { proveStatus, statusProven } from '../../../src/clone/status-proof.js';
import type { Peer } from '../../../src/discovery/peers.js';
import { buildHttpApp } from '../../../src/http/app.js';
import { createMetricsRegistry } from '../../../src/http/metrics.js';
import { deriveIdentity, type PodIdentity } from '../../../src/identity/identity.js';
import { createLogger } from '../../../src/log.js';
import { Secret } from '../../../src/secret.js';

/**
 * Peers answering over real HTTP on loopback addresses (127.0.0.x, one port):
 * the agent's own /status route, signing or not, for this set or another.
 * The reproduction: a stale DNS name whose address answers as another set's
 * pod, claiming the most progress, must never become a donor nor make mysql-0 wait.
 */
const SECRET = 'the-shared-clone-secret';
const PORT = 18_080 + (process.pid % 1000);
const names = { serviceName: 'mysql', namespace: 'default', clusterDomain: 'cluster.local' };
const identityOf = (setName: string, ordinal: number, namespace = 'default'): PodIdentity =>
  deriveIdentity({ pod: { setName, ordinal }, names: { ...names, namespace }, serverIdOffset: 100 });
const asker: Asker = { identity: identityOf('mysql', 0), cloneSecret: new Secret(SECRET, 'test'), httpPort: PORT };

/** What each address answers as: a pod identity, the secret it signs with (none: an agent without proofs), its progress. */
interface Answerer {
  readonly address: string;
  readonly as: PodIdentity;
  readonly secret: string | undefined;
  readonly gtid: string;
  readonly body?: string;
}

const answerers: Answerer[] = [
  { address: '127.0.0.2', as: identityOf('mysql', 1), secret: SECRET, gtid: '0-100-50' },
  // Another StatefulSet's pod behind a stale name, far ahead: the reproduction.
  { address: '127.0.0.3', as: identityOf('other', 3), secret: SECRET, gtid: '0-100-900000' },
  // Same names, another namespace, same secret: signs for its own set.
  { address: '127.0.0.4', as: identityOf('mysql', 5, 'staging'), secret: SECRET, gtid: '0-100-800000' },
  { address: '127.0.0.5', as: identityOf('mysql', 2), secret: undefined, gtid: '0-100-40' },
  { address: '127.0.0.6', as: identityOf('mysql', 3), secret: 'another-secret', gtid: '0-100-40' },
  { address: '127.0.0.7', as: identityOf('mysql', 4), secret: SECRET, gtid: '0-100-40', body: '{"pod": "mysql-4", "ready": tru' },
];

function statusOf(identity: PodIdentity, gtid: string): object {
  return {
    pod: identity.podName,
    set: { statefulSet: identity.setName, service: identity.serviceName, namespace: identity.namespace },
    ready: true,
    dataDir: 'initialized',
    server: { up: true, flavor: 'mariadb', gtidPosition: gtid },
    lag: null,
  };
}

function serve(answerer: Answerer): FastifyInstance {
  const { as, secret } = answerer;
  const app = buildHttpApp({
    logger: createLogger({ level: 'silent', pod: as.podName, phase: 'serve' }),
    registry: createMetricsRegistry({ identity: as, version: '9.9.9' }),
    alive: () => ({ ok: true, reasons: [] }),
    health: () => ({ ok: true, reasons: [] }),
    readiness: () => ({ ok: true, reasons: [] }),
    status: () => statusOf(as, answerer.gtid),
    ...(secret === undefined ? {} : { proveStatus: (challenge: string, body: string) => proveStatus({ secret, set: setIdentity(as), pod: as.podName, challenge, body }) }),
  });
  if (answerer.body !== undefined) app.addHook('onSend', async () => answerer.body);
  return app;
}

/** DNS's view: every answerer under a name of our set (ordinal = the last digit of its address). */
function peer(name: string, address: string | undefined): Peer {
  const ordinal = Number(/-(\d+)$/.exec(name)?.[1]);
  return { name, ordinal, fqdn: `${name}.mysql.default.svc.cluster.local`, address, port: 3306, self: false };
}

const apps = answerers.map(serve);
beforeAll(async () => {
  for (const [i, app] of apps.entries()) await app.listen({ host: answerers[i]?.address, port: PORT });
});
afterAll(async () => {
  await Promise.all(apps.map((app) => app.close()));
});

describe('peers prove who they are', () => {
  const dns = {
    member: peer('mysql-1', '127.0.0.2'),
    staleName: peer('mysql-7', '127.0.0.3'),
    otherNamespace: peer('mysql-5', '127.0.0.4'),
    noProof: peer('mysql-2', '127.0.0.5'),
    wrongSecret: peer('mysql-3', '127.0.0.6'),
    garbage: peer('mysql-4', '127.0.0.7'),
    silent: peer('mysql-6', '127.0.0.8'),
  };

  it('believes a pod of this set that signs our challenge, and leaves out answers from other pods or sets', async () => {
    const { candidates, foreign } = await getPeerCandidates([dns.member, dns.staleName, dns.otherNamespace], asker);
    expect(candidates).toEqual([{ name: 'mysql-1', ordinal: 1, reachable: true, ready: true, holdsData: true, serverUp: true, progress: 50, lagSeconds: undefined }]);
    expect(foreign).toEqual([
      'mysql-7: answered as pod "other-3": a stale DNS name, ignored',
      'mysql-5: answered as a pod of mysql/mysql.staging, not of mysql/mysql.default: ignored',
    ]);
    // mysql-0 with an empty volume clones from its own set's replica, not from the far more advanced strangers.
    const plan = planFromPeers({ ordinal: 0, peers: candidates });
    expect(plan).toMatchObject({ action: 'clone', donors: [{ name: 'mysql-1' }] });
  });

  it('a foreign answer does not make a fresh set wait: mysql-0 bootstraps', async () => {
    const { candidates } = await getPeerCandidates([dns.staleName], asker);
    expect(planFromPeers({ ordinal: 0, peers: candidates })).toEqual({ action: 'bootstrap', reason: 'no peer holds data: the server initialises an empty data dir' });
  });

  it('an answer for the pod we asked but without a valid proof may be ours: it is unreachable, blocks an empty start and is never a donor', async () => {
    const { candidates, foreign } = await getPeerCandidates([dns.noProof, dns.wrongSecret, dns.garbage, dns.silent], asker);
    expect(foreign).toEqual([]);
    expect(candidates.map((c) => [c.name, c.reachable, c.note])).toEqual([
      ['mysql-2', false, 'answered without a proof (an agent older than this one?): cannot tell whether it holds data'],
      ['mysql-3', false, 'answered with a proof that does not check (is CLONE_SECRET the same on every pod?): cannot tell whether it holds data'],
      ['mysql-4', false, expect.stringMatching(/^answered something that is not an agent's status \(/)],
      ['mysql-6', false, 'no answer'],
    ]);
    const plan = planFromPeers({ ordinal: 0, peers: candidates });
    expect(plan.action).toBe('wait');
    expect(plan.reason).toContain('mysql-3 (answered with a proof that does not check (is CLONE_SECRET the same on every pod?)');
    const replica = planFromPeers({ ordinal: 5, peers: candidates });
    expect(replica.action).toBe('wait');
    expect(replica.reason).toMatch(/^no peer is ready to donate a clone yet \(mysql-2: answered without a proof .*; mysql-6: no answer\)$/);
  });

  it('a proof is bound to the challenge, the body and the set: a replayed or altered answer does not check', () => {
    const body = JSON.stringify(statusOf(identityOf('mysql', 1), '0-100-50'));
    const signed = { secret: SECRET, set: setIdentity(identityOf('mysql', 1)), pod: 'mysql-1', body };
    const proof = proveStatus({ ...signed, challenge: 'a'.repeat(32) });
    expect(statusProven({ ...signed, challenge: 'a'.repeat(32), proof })).toBe(true);
    expect(statusProven({ ...signed, challenge: 'b'.repeat(32), proof })).toBe(false);
    expect(statusProven({ ...signed, challenge: 'a'.repeat(32), body: body.replace('50', '51'), proof })).toBe(false);
    expect(statusProven({ ...signed, challenge: 'a'.repeat(32), set: 'mysql/mysql.staging', proof })).toBe(false);
    expect(statusProven({ ...signed, challenge: 'a'.repeat(32), proof: 'zz' })).toBe(false);
  });

  it('humans without a challenge get the plain status, no proof header', async () => {
    const response = await fetch(`http://127.0.0.2:${PORT}/status`);
    expect(response.headers.get('x-msa-proof')).toBeNull();
    expect(await response.json()).toMatchObject({ pod: 'mysql-1' });
  });
});
