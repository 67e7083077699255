import { describe, expect, it } from 'vitest';
import { parseNameServer } from '../../../src/discovery/nameserver.js';
import { namespaceFromSearch, parseResolvConf } from '../../../src/discovery/resolv-conf.js';

describe('parseResolvConf', () => {
  it('reads a kubelet-written resolv.conf', () => {
    const conf = parseResolvConf(
      [
        '# written by the kubelet',
        'search default.svc.cluster.local svc.cluster.local cluster.local',
        'nameserver 10.96.0.10',
        'options ndots:5 timeout:2',
      ].join('\n'),
    );
    expect(conf).toEqual({
      nameservers: [{ host: '10.96.0.10', port: 53 }],
      search: ['default.svc.cluster.local', 'svc.cluster.local', 'cluster.local'],
    });
  });

  it('keeps at most three nameservers, skips bad ones, lets the last search line win', () => {
    const conf = parseResolvConf(
      'nameserver bogus\nnameserver 1.1.1.1\nnameserver ::1\nnameserver 2.2.2.2\nnameserver 3.3.3.3\nsearch a\ndomain b.\n',
    );
    expect(conf.nameservers.map((s) => s.host)).toEqual(['1.1.1.1', '::1', '2.2.2.2']);
    expect(conf.search).toEqual(['b']);
  });
});

describe('namespaceFromSearch', () => {
  it('finds the namespace in the first search domain only when it has the kubelet shape', () => {
    expect(namespaceFromSearch(['shop.svc.cluster.local', 'svc.cluster.local'], 'cluster.local')).toBe('shop');
    expect(namespaceFromSearch(['svc.cluster.local'], 'cluster.local')).toBeUndefined();
    expect(namespaceFromSearch(['corp.example'], 'cluster.local')).toBeUndefined();
    expect(namespaceFromSearch([], 'cluster.local')).toBeUndefined();
  });
});

describe('parseNameServer', () => {
  it.each([
    ['198.18.0.2', { host: '198.18.0.2', port: 53 }],
    ['198.18.0.2:5353', { host: '198.18.0.2', port: 5353 }],
    ['::1', { host: '::1', port: 53 }],
    ['[fd00::1]:54', { host: 'fd00::1', port: 54 }],
  ])('parses %j', (text, expected) => {
    expect(parseNameServer(text)).toEqual(expected);
  });
  it.each(['dns.local', '1.2.3.4:0', '1.2.3.4:99999', '1.2.3.4:5:6', ''])('rejects %j', (text) => {
    expect(() => parseNameServer(text)).toThrow(/nameserver/);
  });
});
