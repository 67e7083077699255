import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Secret } from '../secret.js';
import { hmacHex, setIdentity } from './auth.js';

/**
 * A peer's /status answer is only evidence when it proves where it came from
 * (ARCHITECTURE.md, "Peers prove who they are"). The asker sends a fresh
 * random challenge; the answering agent signs, with CLONE_SECRET, the set it
 * belongs to, its pod name, the challenge and the exact bytes of its answer.
 * A stale DNS name that now reaches another set's pod, a set that shares the
 * secret, or a replayed answer cannot produce that signature for our set, the
 * pod we asked and this challenge.
 */

/** Request header: the asker's challenge (32 hex digits). */
export const CHALLENGE_HEADER = 'x-msa-challenge';
/** Response header: the signature over the answer. */
export const PROOF_HEADER = 'x-msa-proof';

const CHALLENGE = /^[0-9a-f]{32}$/;
const PROOF = /^[0-9a-f]{64}$/;

export function newChallenge(): string {
  return randomBytes(16).toString('hex');
}

/** The challenge a request carries, or undefined when it carries none (a human's curl) or a malformed one. */
export function challengeOf(header: string | string[] | undefined): string | undefined {
  return typeof header === 'string' && CHALLENGE.test(header) ? header : undefined;
}

export interface StatusProofInput {
  readonly secret: string;
  /** `setIdentity` of the answering pod's set (when signing) or of ours (when checking). */
  readonly set: string;
  readonly pod: string;
  readonly challenge: string;
  /** The answer's body, exactly as sent. */
  readonly body: string;
}

export function proveStatus(input: StatusProofInput): string {
  const digest = createHash('sha256').update(input.body).digest('hex');
  return hmacHex(input.secret, ['MSA-STATUS-v1', input.set, input.pod, input.challenge, digest]);
}

/** How a pod of `identity`'s set signs its /status answers: the sidecar's and init's status servers both use it. */
export function statusProver(identity: { readonly podName: string; readonly setName: string; readonly serviceName: string; readonly namespace: string }, secret: Secret): (challenge: string, body: string) => string {
  const set = setIdentity(identity);
  return (challenge, body) => proveStatus({ secret: secret.reveal(), set, pod: identity.podName, challenge, body });
}

/** True when `proof` is the answer `pod` of set `set` gives to `challenge` with this body. */
export function statusProven(input: StatusProofInput & { readonly proof: string | null }): boolean {
  if (input.proof === null || !PROOF.test(input.proof)) return false;
  return timingSafeEqual(Buffer.from(input.proof, 'hex'), Buffer.from(proveStatus(input), 'hex'));
}
