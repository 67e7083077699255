import { describe, expect, it } from 'vitest';
import { deriveIdentity, MAX_SERVER_ID } from '../../../src/identity/identity.js';

const names = { serviceName: 'mysql', namespace: 'shop', clusterDomain: 'cluster.local' };

describe('deriveIdentity', () => {
  it('derives server_id, the stable DNS name and the role', () => {
    const replica = deriveIdentity({ pod: { setName: 'mysql', ordinal: 2 }, names, serverIdOffset: 100 });
    expect(replica).toMatchObject({
      podName: 'mysql-2',
      serverId: 102,
      fqdn: 'mysql-2.mysql.shop.svc.cluster.local',
      role: 'replica',
    });
    expect(deriveIdentity({ pod: { setName: 'mysql', ordinal: 0 }, names, serverIdOffset: 1 }).role).toBe('primary');
  });

  it('refuses an ordinal that pushes server_id past 2^32-1, naming the setting to change', () => {
    expect(() =>
      deriveIdentity({ pod: { setName: 'mysql', ordinal: 2 }, names, serverIdOffset: MAX_SERVER_ID - 1 }),
    ).toThrow(/outside 1\.\.4294967295: lower SERVER_ID_OFFSET/);
    expect(deriveIdentity({ pod: { setName: 'mysql', ordinal: 1 }, names, serverIdOffset: MAX_SERVER_ID - 1 }).serverId).toBe(
      MAX_SERVER_ID,
    );
  });
});
