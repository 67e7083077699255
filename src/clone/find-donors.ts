import type { Config } from '../config.js';
import type { DnsClient } from '../discovery/dns-client.js';
import { discoverPeers } from '../discovery/discover.js';
import type { Peer } from '../discovery/peers.js';
import type { Secret } from '../secret.js';
import { getPeerCandidates } from './peer-status.js';
import { planFromPeers, secretMismatch, type PeerCandidate, type PeerPlan } from './plan.js';

/** A donor the plan chose, with where to reach it. */
export interface ChosenDonor {
  readonly name: string;
  readonly fqdn: string;
  readonly address: string;
}

export interface DonorSearch {
  readonly plan: PeerPlan;
  /** The plan's donors, in its order, that DNS gave an address. */
  readonly donors: readonly ChosenDonor[];
  /** One line per peer, for logs. */
  readonly peers: readonly string[];
  /** Set when waiting cannot help: our CLONE_SECRET is not the peers' (`secretMismatch`). */
  readonly secretMismatch: string | undefined;
}

/**
 * One round of "who can I clone from" for an empty data dir: the peers from
 * DNS, what each says about itself, and the init decision's verdict
 * (ARCHITECTURE.md, "The init decision"). Init and the CLONE-plugin recipient
 * both ask it, so both follow the same rule. `signal` stops its lookups and requests;
 * `heldData`: this pod's data was lost behind its marker (see planFromPeers).
 */
export async function findDonors(input: { config: Config; client: DnsClient; cloneSecret: Secret; signal?: AbortSignal | undefined; heldData?: boolean }): Promise<DonorSearch> {
  const { config, signal } = input;
  const discovery = await discoverPeers({ identity: config.identity, client: input.client, portName: config.dns.portName, mysqlPort: config.ports.mysql, signal });
  const asker = { identity: config.identity, cloneSecret: input.cloneSecret, httpPort: config.ports.http };
  const { candidates, foreign } = await getPeerCandidates(discovery.peers, asker, signal);
  const plan = planFromPeers({ ordinal: config.identity.ordinal, peers: candidates, heldData: input.heldData === true });
  const donors = plan.action === 'clone' ? plan.donors.flatMap((candidate) => withAddress(candidate, discovery.peers)) : [];
  return { plan, donors, peers: [...candidates.map(describeCandidate), ...foreign], secretMismatch: secretMismatch(candidates) };
}

function withAddress(candidate: PeerCandidate, peers: readonly Peer[]): ChosenDonor[] {
  const peer = peers.find((found) => found.ordinal === candidate.ordinal);
  return peer?.address === undefined ? [] : [{ name: peer.name, fqdn: peer.fqdn, address: peer.address }];
}

function describeCandidate(peer: PeerCandidate): string {
  if (!peer.reachable) return `${peer.name}: ${peer.note ?? 'no answer'}`;
  const data = peer.holdsData ? `data (progress ${peer.progress}${peer.serverUp ? '' : ', server not up'})` : 'no data';
  return `${peer.name}: ${peer.ready ? 'ready' : 'not ready'}, ${data}`;
}
