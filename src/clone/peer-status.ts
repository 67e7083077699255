import type { Peer } from '../discovery/peers.js';
import type { PodIdentity } from '../identity/identity.js';
import { gtidProgress } from '../mysql/gtid.js';
import type { Secret } from '../secret.js';
import { setIdentity } from './auth.js';
import { readPeerAnswer, type PeerAnswer } from './peer-answer.js';
import type { PeerCandidate } from './plan.js';
import { CHALLENGE_HEADER, newChallenge, PROOF_HEADER, statusProven } from './status-proof.js';

const STATUS_TIMEOUT_MS = 2_000;

/** Who is asking, and the secret its set's answers are signed with. */
export interface Asker {
  readonly identity: PodIdentity;
  readonly cloneSecret: Secret;
  readonly httpPort: number;
}

/** What the peers said: candidates of this set (silent or unproven ones as unreachable), and answers from elsewhere. */
export interface PeerAnswers {
  readonly candidates: PeerCandidate[];
  /** One line per peer whose answer proves it is not the pod we asked (another set, another pod): left out of every decision. */
  readonly foreign: string[];
}

/**
 * Asks each peer's agent how it is (ARCHITECTURE.md, "Peers prove who they
 * are"). A peer that does not answer, or answers as our pod without proof, is
 * unreachable: that is not the same as "holds no data". An aborted `signal`
 * ends every request and throws its reason instead of answers nobody waits for.
 */
export async function getPeerCandidates(peers: readonly Peer[], asker: Asker, signal?: AbortSignal): Promise<PeerAnswers> {
  const answers = await Promise.all(peers.filter((peer) => !peer.self).map((peer) => askPeer(peer, asker, signal)));
  signal?.throwIfAborted();
  const candidates: PeerCandidate[] = [];
  const foreign: string[] = [];
  for (const answer of answers) {
    if ('foreign' in answer) foreign.push(answer.foreign);
    else candidates.push(answer);
  }
  return { candidates, foreign };
}

function unreachable(peer: Peer, note: string): PeerCandidate {
  return { name: peer.name, ordinal: peer.ordinal, reachable: false, ready: false, holdsData: false, serverUp: false, progress: 0, lagSeconds: undefined, note };
}

async function askPeer(peer: Peer, asker: Asker, signal: AbortSignal | undefined): Promise<PeerCandidate | { foreign: string }> {
  if (peer.address === undefined) return unreachable(peer, 'no address in DNS');
  const timeout = AbortSignal.timeout(STATUS_TIMEOUT_MS);
  const challenge = newChallenge();
  let body: string;
  let proof: string | null;
  try {
    const response = await fetch(`http://${hostForUrl(peer.address)}:${asker.httpPort}/status`, {
      headers: { [CHALLENGE_HEADER]: challenge },
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    if (!response.ok) return unreachable(peer, `answered HTTP ${response.status}`);
    proof = response.headers.get(PROOF_HEADER);
    body = await response.text();
  } catch {
    return unreachable(peer, 'no answer');
  }
  let answer: PeerAnswer;
  try {
    answer = readPeerAnswer(JSON.parse(body));
  } catch (error) {
    return unreachable(peer, `answered something that is not an agent's status (${(error as Error).message})`);
  }
  return judgeAnswer(peer, asker, { answer, body, challenge, proof });
}

/**
 * An answer naming another pod or another set is foreign: that pod is not the
 * peer DNS named, whatever it holds. An answer naming the pod we asked and our
 * set but without a valid proof is unproven: it may be ours (an older agent, a
 * different CLONE_SECRET) and hold data, so it counts as unreachable, never as
 * a donor and never as "holds nothing".
 */
export function judgeAnswer(
  peer: Peer,
  asker: Asker,
  input: { answer: PeerAnswer; body: string; challenge: string; proof: string | null },
): PeerCandidate | { foreign: string } {
  const { answer } = input;
  const ours = setIdentity(asker.identity);
  if (answer.pod !== peer.name) return { foreign: `${peer.name}: answered as pod ${JSON.stringify(answer.pod)}: a stale DNS name, ignored` };
  const theirs = answer.set && setIdentity({ setName: answer.set.statefulSet, serviceName: answer.set.service, namespace: answer.set.namespace });
  if (theirs !== undefined && theirs !== ours) return { foreign: `${peer.name}: answered as a pod of ${theirs}, not of ${ours}: ignored` };
  const proven = statusProven({ secret: asker.cloneSecret.reveal(), set: ours, pod: peer.name, challenge: input.challenge, body: input.body, proof: input.proof });
  if (!proven) {
    if (input.proof === null) return unreachable(peer, 'answered without a proof (an agent older than this one?): cannot tell whether it holds data');
    const why = 'answered with a proof that does not check (is CLONE_SECRET the same on every pod?): cannot tell whether it holds data';
    return { ...unreachable(peer, why), wrongProof: true };
  }
  return candidateFromAnswer(peer, answer);
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
export function candidateFromAnswer(peer: Pick<Peer, 'name' | 'ordinal'>, answer: PeerAnswer): PeerCandidate {
  const { server } = answer;
  return {
    name: peer.name,
    ordinal: peer.ordinal,
    reachable: true,
    ready: answer.ready,
    holdsData: HOLDS_DATA.has(answer.dataDir),
    serverUp: server.up,
    progress: progressOf(server.gtidPosition ?? answer.cloneGtid, server.flavor),
    // Among equally advanced donors the least lagging wins; an unknown lag ranks last.
    lagSeconds: answer.lagSeconds,
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
