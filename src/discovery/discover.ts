import { DiscoveryError } from '../errors.js';
import type { PodIdentity } from '../identity/identity.js';
import { DnsLookupError, type DnsClient } from './dns-client.js';
import { formatNameServer } from './nameserver.js';
import { addressOf, peersFromSrv, previousPodFqdn, srvName, type Peer } from './peers.js';

export interface Discovery {
  readonly peers: readonly Peer[];
  /** How the peers were found: the SRV set, the previous ordinal's A record, or not at all. */
  readonly source: 'srv' | 'a-record' | 'none';
  /** The SRV name asked, and which server answered, for logs and errors. */
  readonly asked: string;
  readonly answeredBy: string;
  /** SRV targets that are not pods of this set. */
  readonly ignored: readonly string[];
}

/**
 * Finds the pods of the set: the headless Service's SRV records first (every
 * pod, Ready or not, thanks to publishNotReadyAddresses); when there are none,
 * the previous ordinal's A record, which is all a new replica strictly needs.
 * DNS failures (timeouts, SERVFAIL, garbage) throw a DiscoveryError naming the
 * question and the servers; "no such name" is an answer, not a failure.
 * An aborted `signal` ends every lookup with its reason.
 */
export async function discoverPeers(input: {
  identity: PodIdentity;
  client: DnsClient;
  portName: string;
  mysqlPort: number;
  signal?: AbortSignal | undefined;
}): Promise<Discovery> {
  const { identity, client, signal } = input;
  const asked = srvName(identity, input.portName);
  try {
    const srv = await client.query(asked, 'SRV', signal);
    const { peers, ignored } = peersFromSrv({ identity, answers: srv.answers, additionals: srv.additionals });
    const base = { asked, answeredBy: formatNameServer(srv.server), ignored };
    if (peers.length > 0) return { ...base, peers: await withAddresses(client, peers, signal), source: 'srv' };
    const previous = await previousByARecord(input);
    return { ...base, peers: previous ? [previous] : [], source: previous ? 'a-record' : 'none' };
  } catch (error) {
    if (!(error instanceof DnsLookupError)) throw error;
    throw new DiscoveryError(
      `failed to discover peers: ${error.message}; check that cluster DNS answers and the headless Service ` +
        `${identity.serviceName} has a port named ${input.portName}`,
      { cause: error },
    );
  }
}

/** SRV answers may come without the targets' addresses; ask for those that are missing. */
async function withAddresses(client: DnsClient, peers: readonly Peer[], signal: AbortSignal | undefined): Promise<Peer[]> {
  return Promise.all(
    peers.map(async (peer) => {
      if (peer.address !== undefined) return peer;
      const reply = await client.query(peer.fqdn, 'A', signal);
      return { ...peer, address: addressOf(peer.fqdn, reply.answers) };
    }),
  );
}

async function previousByARecord(input: {
  identity: PodIdentity;
  client: DnsClient;
  mysqlPort: number;
  signal?: AbortSignal | undefined;
}): Promise<Peer | undefined> {
  const fqdn = previousPodFqdn(input.identity);
  if (fqdn === undefined) return undefined;
  const reply = await input.client.query(fqdn, 'A', input.signal);
  const address = addressOf(fqdn, reply.answers);
  if (address === undefined) return undefined;
  const ordinal = input.identity.ordinal - 1;
  return {
    name: `${input.identity.setName}-${ordinal}`,
    ordinal,
    fqdn,
    address,
    port: input.mysqlPort,
    self: false,
  };
}
