import dnsPacket, { type Answer } from 'dns-packet';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { deriveIdentity } from '../../../src/identity/identity.js';
import { peersFromSrv, previousPodFqdn, srvName } from '../../../src/discovery/peers.js';

const names = { serviceName: 'mysql', namespace: 'default', clusterDomain: 'cluster.local' };
const identity = deriveIdentity({ pod: { setName: 'mysql', ordinal: 1 }, names, serverIdOffset: 100 });
const suffix = 'mysql.default.svc.cluster.local';

const srv = (target: string, port = 3306): Answer => ({
  type: 'SRV',
  name: `_mysql._tcp.${suffix}`,
  ttl: 30,
  data: { target, port, priority: 0, weight: 33 },
});
const a = (name: string, address: string): Answer => ({ type: 'A', name, ttl: 30, data: address });

describe('SRV decoding', () => {
  it('names the SRV record Kubernetes publishes for the named port', () => {
    expect(srvName(identity, 'mysql')).toBe('_mysql._tcp.mysql.default.svc.cluster.local');
    expect(previousPodFqdn(identity)).toBe('mysql-0.mysql.default.svc.cluster.local');
    expect(previousPodFqdn({ ...identity, ordinal: 0 })).toBeUndefined();
  });

  it('decodes a wire-format answer into peers sorted by ordinal, with addresses from the additional section', () => {
    const wire = dnsPacket.encode({
      type: 'response',
      id: 1,
      answers: [srv(`mysql-2.${suffix}`), srv(`mysql-0.${suffix}`), srv(`mysql-1.${suffix}`)],
      additionals: [a(`mysql-0.${suffix}`, '198.18.0.10'), a(`mysql-2.${suffix}`, '198.18.0.12')],
    });
    const packet = dnsPacket.decode(wire);
    const { peers, ignored } = peersFromSrv({ identity, answers: packet.answers ?? [], additionals: packet.additionals ?? [] });
    expect(ignored).toEqual([]);
    expect(peers).toEqual([
      { name: 'mysql-0', ordinal: 0, fqdn: `mysql-0.${suffix}`, address: '198.18.0.10', port: 3306, self: false },
      { name: 'mysql-1', ordinal: 1, fqdn: `mysql-1.${suffix}`, address: undefined, port: 3306, self: true },
      { name: 'mysql-2', ordinal: 2, fqdn: `mysql-2.${suffix}`, address: '198.18.0.12', port: 3306, self: false },
    ]);
  });

  it('ignores targets that are not pods of this set', () => {
    const { peers, ignored } = peersFromSrv({
      identity,
      answers: [srv(`other-0.${suffix}`), srv('mysql-0.mysql.elsewhere.svc.cluster.local'), srv(`10-1-2-3.${suffix}`), srv(`mysql-3.${suffix}.`)],
      additionals: [],
    });
    expect(peers.map((p) => p.name)).toEqual(['mysql-3']);
    expect(ignored).toHaveLength(3);
  });

  it('keeps one peer per ordinal for any set of targets', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: 20 }), { maxLength: 40 }), (ordinals) => {
        const { peers } = peersFromSrv({ identity, answers: ordinals.map((n) => srv(`mysql-${n}.${suffix}`)), additionals: [] });
        expect(peers.map((p) => p.ordinal)).toEqual([...new Set(ordinals)].sort((x, y) => x - y));
      }),
    );
  });
});
