import type { Peer } from '../discovery/peers.js';
import type { StatusDocument } from '../http/status-document.js';
import { gtidProgress } from '../mysql/gtid.js';
import type { PeerCandidate } from './plan.js';

const STATUS_TIMEOUT_MS = 2_000;

/**
 * Asks each peer how it is: its sidecar, or its init while that runs
 * (ARCHITECTURE.md, "Discovery": readiness comes from the peer itself, not from
 * DNS; "Init answers peers"). A peer that does not answer is unreachable,
 * which is not the same as "holds no data". An aborted `signal` ends every
 * request and throws its reason instead of answers nobody waits for.
 */
export async function getPeerCandidates(peers: readonly Peer[], httpPort: number, signal?: AbortSignal): Promise<PeerCandidate[]> {
  const candidates = await Promise.all(peers.filter((peer) => !peer.self).map((peer) => getPeerCandidate(peer, httpPort, signal)));
  signal?.throwIfAborted();
  return candidates;
}

async function getPeerCandidate(peer: Peer, httpPort: number, signal: AbortSignal | undefined): Promise<PeerCandidate> {
  const unreachable = {
    name: peer.name,
    ordinal: peer.ordinal,
    reachable: false,
    ready: false,
    holdsData: false,
    serverUp: false,
    progress: 0,
    lagSeconds: undefined,
  };
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

/**
 * A peer holds data when its data dir does, whether its server runs or not (a
 * pod whose init, or whose server, is still starting holds what its volume
 * holds); it can donate only once its server runs. Its progress is the
 * server's GTID position, or, while the server is down, the one its clone
 * recorded (a lower bound: it may have applied more since).
 */
export function candidateFromStatus(peer: Pick<Peer, 'name' | 'ordinal'>, status: StatusDocument): PeerCandidate {
  const { server } = status;
  return {
    name: peer.name,
    ordinal: peer.ordinal,
    reachable: true,
    ready: status.ready,
    holdsData: HOLDS_DATA.has(status.dataDir),
    serverUp: server.up,
    progress: progressOf(server.gtidPosition ?? status.clone?.coordinates.gtid ?? null, server.flavor),
    // Among equally advanced donors the least lagging wins; an unknown lag ranks last.
    lagSeconds: status.lag?.known ? (status.lag.seconds ?? undefined) : undefined,
  };
}

function progressOf(gtidPosition: string | null, flavor: 'mysql' | 'mariadb' | null): number {
  if (!gtidPosition || !flavor) return 0;
  try {
    return gtidProgress(gtidPosition, flavor);
  } catch {
    return 0;
  }
}

function hostForUrl(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}
