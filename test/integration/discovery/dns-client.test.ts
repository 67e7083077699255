import type { Answer } from 'dns-packet';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { DnsClient, DnsLookupError } from '../../../src/discovery/dns-client.js';
import { discoverPeers } from '../../../src/discovery/discover.js';
import { DiscoveryError } from '../../../src/errors.js';
import { deriveIdentity } from '../../../src/identity/identity.js';
import { FakeDnsServer } from '../../support/fake-dns-server.js';

const SUFFIX = 'mysql.default.svc.cluster.local';
const SRV_NAME = `_mysql._tcp.${SUFFIX}`;
const identity = deriveIdentity({
  pod: { setName: 'mysql', ordinal: 2 },
  names: { serviceName: 'mysql', namespace: 'default', clusterDomain: 'cluster.local' },
  serverIdOffset: 100,
});

const srv = (ordinal: number): Answer => ({
  type: 'SRV',
  name: SRV_NAME,
  ttl: 5,
  data: { target: `mysql-${ordinal}.${SUFFIX}`, port: 3306, priority: 0, weight: 10 },
});
const a = (ordinal: number): Answer => ({ type: 'A', name: `mysql-${ordinal}.${SUFFIX}`, ttl: 5, data: `198.18.0.${10 + ordinal}` });

describe('DnsClient and discoverPeers against a scripted DNS server', () => {
  const server = new FakeDnsServer();
  let client: DnsClient;

  beforeAll(async () => {
    await server.start();
  });
  afterAll(async () => {
    await server.stop();
  });
  beforeEach(() => {
    server.received.length = 0;
    client = new DnsClient({
      servers: [{ host: '127.0.0.1', port: server.port }],
      timeoutMs: 200,
      attempts: 2,
      backoff: { baseMs: 1, maxMs: 5 },
    });
  });

  const discover = () => discoverPeers({ identity, client, portName: 'mysql', mysqlPort: 3306 });

  it('finds every pod from the SRV records, with addresses from the additional section', async () => {
    server.behave = () => ({ kind: 'answer', answers: [srv(0), srv(1), srv(2)], additionals: [a(0), a(1), a(2)] });
    const found = await discover();
    expect(found.source).toBe('srv');
    expect(found.peers.map((p) => [p.name, p.address, p.port, p.self])).toEqual([
      ['mysql-0', '198.18.0.10', 3306, false],
      ['mysql-1', '198.18.0.11', 3306, false],
      ['mysql-2', '198.18.0.12', 3306, true],
    ]);
    expect(server.received).toEqual([{ protocol: 'udp', name: SRV_NAME, type: 'SRV' }]);
  });

  it('asks for the A records the SRV answer left out', async () => {
    server.behave = (q) =>
      q.type === 'SRV'
        ? { kind: 'answer', answers: [srv(0), srv(1)] }
        : { kind: 'answer', answers: q.name.startsWith('mysql-0') ? [a(0)] : [a(1)] };
    const found = await discover();
    expect(found.peers.map((p) => p.address)).toEqual(['198.18.0.10', '198.18.0.11']);
    expect(server.received.filter((q) => q.type === 'A')).toHaveLength(2);
  });

  it('retries over TCP when the UDP answer is truncated', async () => {
    const many = Array.from({ length: 40 }, (_, n) => srv(n));
    server.behave = () => ({ kind: 'answer', answers: many, additionals: many.map((_, n) => a(n)), truncateUdp: true });
    const found = await discover();
    expect(found.peers).toHaveLength(40);
    expect(server.received.map((q) => q.protocol)).toEqual(['udp', 'tcp']);
  });

  it('falls back to the previous ordinal\'s A record when there are no SRV records', async () => {
    server.behave = (q) =>
      q.type === 'A' && q.name === `mysql-1.${SUFFIX}`
        ? { kind: 'answer', answers: [a(1)] }
        : { kind: 'rcode', rcode: 'NXDOMAIN' };
    const found = await discover();
    expect(found.source).toBe('a-record');
    expect(found.peers).toEqual([
      { name: 'mysql-1', ordinal: 1, fqdn: `mysql-1.${SUFFIX}`, address: '198.18.0.11', port: 3306, self: false },
    ]);
  });

  it('reports no peers, not an error, when DNS says the names do not exist', async () => {
    server.behave = () => ({ kind: 'rcode', rcode: 'NXDOMAIN' });
    const found = await discover();
    expect(found).toMatchObject({ source: 'none', peers: [], asked: SRV_NAME });
  });

  it.each([
    ['SERVFAIL', { kind: 'rcode', rcode: 'SERVFAIL' } as const, /SERVFAIL \(×2\)/],
    ['REFUSED', { kind: 'rcode', rcode: 'REFUSED' } as const, /REFUSED \(×2\)/],
    ['garbage', { kind: 'garbage' } as const, /malformed reply \(5 bytes/],
    ['a reply with the wrong id', { kind: 'wrong-id' } as const, /malformed reply \(wrong id/],
    ['silence', { kind: 'silence' } as const, /timed out \(no UDP reply within 200 ms\) \(×2\)/],
  ])('fails after bounded retries on %s, naming the question, the server and what came back', async (_label, behaviour, detail) => {
    server.behave = () => behaviour;
    const failure = await discover().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(DiscoveryError);
    const message = (failure as Error).message;
    expect(message).toContain(`failed to discover peers: failed to resolve SRV ${SRV_NAME}: 127.0.0.1:${server.port}`);
    expect(message).toMatch(detail);
    expect(message).toContain('has a port named mysql');
    expect(server.received).toHaveLength(2);
  });

  it('tries the next nameserver when one fails', async () => {
    const dead = new FakeDnsServer();
    await dead.start();
    dead.behave = () => ({ kind: 'rcode', rcode: 'SERVFAIL' });
    server.behave = () => ({ kind: 'answer', answers: [srv(0)], additionals: [a(0)] });
    const twoServers = new DnsClient({
      servers: [
        { host: '127.0.0.1', port: dead.port },
        { host: '127.0.0.1', port: server.port },
      ],
      timeoutMs: 200,
      attempts: 1,
    });
    try {
      const found = await discoverPeers({ identity, client: twoServers, portName: 'mysql', mysqlPort: 3306 });
      expect(found.peers.map((p) => p.name)).toEqual(['mysql-0']);
      expect(found.answeredBy).toBe(`127.0.0.1:${server.port}`);
      expect(dead.received).toHaveLength(1);
    } finally {
      await dead.stop();
    }
  });

  it('stops a lookup that waits for a silent server the moment its signal aborts, with the signal\'s reason', async () => {
    server.behave = () => ({ kind: 'silence' });
    const patient = new DnsClient({ servers: [{ host: '127.0.0.1', port: server.port }], timeoutMs: 30_000, attempts: 3 });
    const controller = new AbortController();
    const stop = new Error('stopped by SIGTERM');
    const lookup = discoverPeers({ identity, client: patient, portName: 'mysql', mysqlPort: 3306, signal: controller.signal });
    await vi.waitFor(() => expect(server.received).toHaveLength(1));
    controller.abort(stop);
    // Only the abort can end it within the test's 2 s: the server never answers and each try waits 30 s.
    await expect(lookup).rejects.toBe(stop);
    expect(server.received).toHaveLength(1);
  }, 2_000);

  it('says the connection was refused when nothing listens on the port', async () => {
    const nobody = new DnsClient({ servers: [{ host: '127.0.0.1', port: 9 }], timeoutMs: 500, attempts: 1 });
    await expect(nobody.query('x.cluster.local', 'A')).rejects.toThrow(
      new DnsLookupError('A', 'x.cluster.local', ['127.0.0.1:9 refused the connection (nothing listens there)']),
    );
  });

});
