import type { Peer } from '../discovery/peers.js';
import type { StatusDocument } from '../http/status-document.js';
import { gtidProgress } from '../mysql/gtid.js';
import type { PeerCandidate } from './plan.js';

const STATUS_TIMEOUT_MS = 2_000;

/**
 * Asks each peer's sidecar how it is (ARCHITECTURE.md, "Discovery": readiness comes from
 * the peer itself, not from DNS). A peer that does not answer is unreachable,
 * which is not the same as "holds no data". An aborted `signal` ends every
 * request and throws its reason instead of answers nobody waits for.
 */
export async function getPeerCandidates(peers: readonly Peer[], httpPort: number, signal?: AbortSignal): Promise<PeerCandidate[]> {
  const candidates = await Promise.all(peers.filter((peer) => !peer.self).map((peer) => getPeerCandidate(peer, httpPort, signal)));
  signal?.throwIfAborted();
  return candidates;
}

async function getPeerCandidate(peer: Peer, httpPort: number, signal: AbortSignal | undefined): Promise<PeerCandidate> {
  const unreachable = { name: peer.name, ordinal: peer.ordinal, reachable: false, ready: false, holdsData: false, progress: 0, lagSeconds: undefined };
  if (peer.address === undefined) return unreachable;
  const timeout = AbortSignal.timeout(STATUS_TIMEOUT_MS);
  try {
    const response = await fetch(`http://${hostForUrl(peer.address)}:${httpPort}/status`, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout });
    if (!response.ok) return unreachable;
    return candidateFromStatus(peer, (await response.json()) as StatusDocument);
  } catch {
    return unreachable;
  }
}

/** Data dir states with data in them; an empty, interrupted or clone-pending one holds nothing of the set's. */
const HOLDS_DATA: ReadonlySet<string> = new Set(['initialized', 'unmarked-data']);

/** A peer holds data when its server runs on an initialised data dir: only then can it donate a clone. */
export function candidateFromStatus(peer: Pick<Peer, 'name' | 'ordinal'>, status: StatusDocument): PeerCandidate {
  const { server } = status;
  let progress = 0;
  if (server.gtidPosition && server.flavor) {
    try {
      progress = gtidProgress(server.gtidPosition, server.flavor);
    } catch {
      progress = 0;
    }
  }
  return {
    name: peer.name,
    ordinal: peer.ordinal,
    reachable: true,
    ready: status.ready,
    holdsData: server.up && HOLDS_DATA.has(status.dataDir),
    progress,
    // Among equally advanced donors the least lagging wins; an unknown lag ranks last.
    lagSeconds: status.lag?.known ? (status.lag.seconds ?? undefined) : undefined,
  };
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
