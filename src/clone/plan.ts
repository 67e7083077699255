import type { DataDirState } from '../data-dir/state.js';

/**
 * What init does with the data dir (ARCHITECTURE.md, "The init decision"), as
 * two pure functions that init calls in turn: first on what it found on disk,
 * then, only for an empty data dir, on what the peers say about themselves.
 * Every branch is unit-tested without servers and is the branch init runs.
 */

/** A peer as it describes itself on its /status; `reachable: false` when it did not answer. */
export interface PeerCandidate {
  readonly name: string;
  readonly ordinal: number;
  readonly reachable: boolean;
  readonly ready: boolean;
  /** Its data dir holds data (marked or unmarked), whether its server runs yet or not. */
  readonly holdsData: boolean;
  /** Its server answers: only then can it donate a clone. */
  readonly serverUp: boolean;
  /** How many transactions it has applied, comparable across peers (GTID set size); higher is more advanced. */
  readonly progress: number;
  /** Replication lag in seconds, undefined when unknown. */
  readonly lagSeconds: number | undefined;
  /** Why an unreachable peer counts as unreachable (no answer, an answer without proof), for the reason and logs. */
  readonly note?: string;
  /** It answered as our pod with a proof that does not check: its CLONE_SECRET or ours is not the set's. */
  readonly wrongProof?: boolean;
}

/**
 * When no peer proved itself and some answered with a proof that does not
 * check, waiting cannot help: one side has another CLONE_SECRET, and only an
 * operator can fix that. Returns the line that says so, else undefined.
 */
export function secretMismatch(peers: readonly PeerCandidate[]): string | undefined {
  if (peers.some((peer) => peer.reachable)) return undefined;
  const wrong = peers.filter((peer) => peer.wrongProof === true).map((peer) => peer.name);
  if (wrong.length === 0) return undefined;
  return `CLONE_SECRET is not the one ${wrong.join(', ')} sign with (their answers do not check): mount the same Secret in every pod of the set`;
}

/** Decided from the data dir alone. */
export type LocalPlan =
  | { readonly action: 'keep'; readonly reason: string }
  | { readonly action: 'adopt'; readonly reason: string }
  /** Wipe the leftovers, then decide as for an empty data dir. */
  | { readonly action: 'restart-clone'; readonly reason: string }
  /** The marker outlived the data: remember that this pod held data, wipe what is left, then decide as for an empty data dir. */
  | { readonly action: 'lost'; readonly reason: string }
  /** Files the marker does not vouch for: touch nothing, fail with what to do. */
  | { readonly action: 'refuse'; readonly reason: string }
  | { readonly action: 'ask-peers'; readonly reason: string };

/** Decided for an empty data dir from what the peers say. */
export type PeerPlan =
  | { readonly action: 'clone'; readonly donors: readonly PeerCandidate[]; readonly reason: string }
  | { readonly action: 'bootstrap'; readonly reason: string }
  | { readonly action: 'wait'; readonly reason: string };

export function planFromDataDir(dataDir: DataDirState): LocalPlan {
  switch (dataDir) {
    case 'initialized':
      return { action: 'keep', reason: 'the data dir is initialized (marker present)' };
    case 'lost':
      return { action: 'lost', reason: 'the marker is there but the data dir holds no server data: a lost volume' };
    case 'mismatch':
      return { action: 'refuse', reason: 'the data dir holds server files the marker does not vouch for' };
    case 'interrupted':
      return { action: 'restart-clone', reason: 'an interrupted clone left a staging dir' };
    case 'clone-pending':
      return { action: 'restart-clone', reason: 'a CLONE-plugin clone was requested and did not complete' };
    case 'unmarked-data':
      return { action: 'adopt', reason: 'the data dir holds server files but no marker: adopting them' };
    case 'empty':
      return { action: 'ask-peers', reason: 'the data dir is empty' };
  }
}

/** `heldData`: this pod's marker vouched for data that is gone (the `lost` record), so it must not start empty. */
export function planFromPeers(input: { ordinal: number; peers: readonly PeerCandidate[]; heldData?: boolean }): PeerPlan {
  const others = input.peers.filter((peer) => peer.ordinal !== input.ordinal);
  return input.ordinal === 0 ? planPrimary(others, input.heldData === true) : planReplica(input.ordinal, others);
}

/**
 * A lost primary volume must never come back empty while replicas hold the
 * data. A peer that does not answer might hold data, so it blocks an empty
 * start: waiting (until init's deadline) is safe, guessing is not. A primary
 * whose own marker says it held data never starts empty at all: an empty,
 * writable primary would hide the loss, so only a human may choose it. A peer
 * that holds data but whose server is not up yet (its init or its server still
 * starting, as when the whole set restarts in parallel) cannot donate and
 * cannot tell its position yet: it blocks both an empty start and a clone
 * from a peer that may be less advanced than it.
 */
function planPrimary(peers: readonly PeerCandidate[], heldData: boolean): PeerPlan {
  const holders = peers.filter((peer) => peer.reachable && peer.holdsData);
  const silent = peers.filter((peer) => !peer.reachable);
  const names = (list: readonly PeerCandidate[]) => list.map((peer) => peer.name).join(', ');
  if (holders.length === 0 && silent.length > 0) {
    return { action: 'wait', reason: `${silent.map(describeSilent).join(', ')} did not answer: cannot tell whether they hold data, so not starting empty` };
  }
  if (holders.length === 0 && heldData) {
    return { action: 'wait', reason: "this pod's data is lost (its marker outlived it) and no peer holds data: not starting an empty primary; restore the volume, or delete the `lost` file in STATE_DIR to start empty" };
  }
  if (holders.length === 0) return { action: 'bootstrap', reason: 'no peer holds data: the server initialises an empty data dir' };
  const starting = holders.filter((peer) => !peer.serverUp);
  if (starting.length > 0) {
    return { action: 'wait', reason: `peers holding data are not up yet (${names(starting)}): waiting to clone from the most advanced` };
  }
  const donors = [...holders].sort(mostAdvancedFirst);
  return { action: 'clone', donors, reason: `peers hold data: cloning from the most advanced (${donors[0]?.name})` };
}

/** The previous ordinal first (the tutorial's order, spreading load), then the best other ready peer. */
function planReplica(ordinal: number, peers: readonly PeerCandidate[]): PeerPlan {
  const ready = peers.filter((peer) => peer.reachable && peer.ready && peer.holdsData && peer.serverUp);
  if (ready.length === 0) {
    // Why peers that did not count did not: a wrong CLONE_SECRET shows here, not as a deadline with no cause.
    const notes = peers.flatMap((peer) => (peer.note === undefined ? [] : [`${peer.name}: ${peer.note}`]));
    return { action: 'wait', reason: `no peer is ready to donate a clone yet${notes.length > 0 ? ` (${notes.join('; ')})` : ''}` };
  }
  const previous = ready.filter((peer) => peer.ordinal === ordinal - 1);
  const rest = ready.filter((peer) => peer.ordinal !== ordinal - 1).sort(mostAdvancedFirst);
  const donors = [...previous, ...rest];
  return { action: 'clone', donors, reason: `cloning from ${donors[0]?.name}` };
}

function describeSilent(peer: PeerCandidate): string {
  return peer.note === undefined ? peer.name : `${peer.name} (${peer.note})`;
}

function mostAdvancedFirst(a: PeerCandidate, b: PeerCandidate): number {
  if (a.progress !== b.progress) return b.progress - a.progress;
  const lagA = a.lagSeconds ?? Number.POSITIVE_INFINITY;
  const lagB = b.lagSeconds ?? Number.POSITIVE_INFINITY;
  if (lagA !== lagB) return lagA - lagB;
  return a.ordinal - b.ordinal;
}
