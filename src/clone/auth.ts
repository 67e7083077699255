import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Clone requests carry `Authorization: MSA-HMAC pod=…,ts=…,nonce=…,sig=…`, an
 * HMAC-SHA256 with the shared secret over the set, the method, the path, the
 * caller's pod name, a timestamp and a random nonce. The secret never crosses
 * the wire; a captured header is useless outside a short window, and inside it
 * the nonce can be used once only (NonceCache), so a listener cannot replay it.
 * The set (StatefulSet, Service, namespace: `setIdentity`) is signed but not
 * sent: a request from another set that shares the secret fails, because the
 * donor checks it against its own set (ARCHITECTURE.md, "Peers prove who they are").
 */

export const AUTH_SCHEME = 'MSA-HMAC';
/** How far the caller's clock may be from ours, either way. */
export const AUTH_WINDOW_SECONDS = 60;
const POD_NAME = /^[a-z0-9-]{1,63}$/;

export interface SignedRequest {
  /** `setIdentity` of the set both ends belong to. */
  readonly set: string;
  readonly method: string;
  readonly path: string;
  readonly pod: string;
}

/** What makes a set this set: its StatefulSet, headless Service and namespace (`mysql/mysql.default`). */
export function setIdentity(names: { readonly setName: string; readonly serviceName: string; readonly namespace: string }): string {
  return `${names.setName}/${names.serviceName}.${names.namespace}`;
}

export function signRequest(input: SignedRequest & { secret: string; now?: number; nonce?: string }): string {
  if (!POD_NAME.test(input.pod)) throw new Error(`cannot sign a clone request for pod name ${JSON.stringify(input.pod)}`);
  const ts = Math.floor((input.now ?? Date.now()) / 1000);
  const nonce = input.nonce ?? randomBytes(16).toString('hex');
  const sig = signature(input.secret, { ...input, ts, nonce });
  return `${AUTH_SCHEME} pod=${input.pod},ts=${ts},nonce=${nonce},sig=${sig}`;
}

export type AuthResult =
  | { readonly ok: true; readonly pod: string }
  | { readonly ok: false; readonly reason: string };

/** Verifies a header; `reason` is for our logs, never sent to the caller. */
export function verifyRequest(input: {
  header: string | undefined;
  set: string;
  method: string;
  path: string;
  secret: string;
  nonces: NonceCache;
  now?: number;
}): AuthResult {
  const fields = parseHeader(input.header);
  if (fields === undefined) return { ok: false, reason: 'no or malformed Authorization header' };
  const nowSeconds = Math.floor((input.now ?? Date.now()) / 1000);
  if (Math.abs(nowSeconds - fields.ts) > AUTH_WINDOW_SECONDS) {
    return { ok: false, reason: `timestamp ${fields.ts} is outside ±${AUTH_WINDOW_SECONDS} s of ours (${nowSeconds})` };
  }
  const expected = Buffer.from(signature(input.secret, { ...input, pod: fields.pod, ts: fields.ts, nonce: fields.nonce }), 'hex');
  const given = Buffer.from(fields.sig, 'hex');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: `bad signature from ${fields.pod}` };
  }
  if (!input.nonces.claim(fields.nonce, nowSeconds)) return { ok: false, reason: `replayed request from ${fields.pod}` };
  return { ok: true, pod: fields.pod };
}

function signature(secret: string, input: SignedRequest & { ts: number; nonce: string }): string {
  return hmacHex(secret, ['MSA-REQUEST-v2', input.set, input.method.toUpperCase(), input.path, input.pod, String(input.ts), input.nonce]);
}

/** HMAC-SHA256 of lines joined by newlines (no field may hold one: callers pass names, numbers and hex). */
export function hmacHex(secret: string, lines: readonly string[]): string {
  return createHmac('sha256', secret).update(lines.join('\n')).digest('hex');
}

interface HeaderFields {
  readonly pod: string;
  readonly ts: number;
  readonly nonce: string;
  readonly sig: string;
}

function parseHeader(header: string | undefined): HeaderFields | undefined {
  const match = /^MSA-HMAC pod=([a-z0-9-]{1,63}),ts=(\d{1,12}),nonce=([0-9a-f]{16,64}),sig=([0-9a-f]{64})$/.exec(header ?? '');
  if (!match) return undefined;
  const [, pod = '', ts = '', nonce = '', sig = ''] = match;
  return { pod, ts: Number(ts), nonce, sig };
}

/** Nonces seen within the window; older ones cannot pass the timestamp check anyway, so they are dropped. */
export class NonceCache {
  readonly #seen = new Map<string, number>();

  claim(nonce: string, nowSeconds: number): boolean {
    for (const [old, at] of this.#seen) {
      if (nowSeconds - at > 2 * AUTH_WINDOW_SECONDS) this.#seen.delete(old);
    }
    if (this.#seen.has(nonce)) return false;
    this.#seen.set(nonce, nowSeconds);
    return true;
  }
}
