import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AUTH_SCHEME, AUTH_WINDOW_SECONDS, NonceCache, signRequest, verifyRequest } from '../../../src/clone/auth.js';

const secret = 'correct horse battery staple';
const now = 1_700_000_000_000;
const nonce = '00112233445566778899aabbccddeeff';
const set = 'mysql/mysql.default';
const request = { set, method: 'GET', path: '/v1/backup', pod: 'mysql-1' } as const;

function sign(extra: Partial<Parameters<typeof signRequest>[0]> = {}): string {
  return signRequest({ ...request, secret, now, nonce, ...extra });
}

function verify(header: string | undefined, extra: Partial<Parameters<typeof verifyRequest>[0]> = {}) {
  return verifyRequest({ header, set, method: 'GET', path: '/v1/backup', secret, nonces: new NonceCache(), now, ...extra });
}

function hmac(key: string, text: string): string {
  return createHmac('sha256', key).update(text).digest('hex');
}

describe('signRequest', () => {
  it('writes the scheme, pod, timestamp in seconds, nonce and an HMAC-SHA256 over the set, method, path, pod, ts and nonce', () => {
    const expectedSig = hmac(secret, `MSA-REQUEST-v2\n${set}\nGET\n/v1/backup\nmysql-1\n1700000000\n${nonce}`);
    expect(sign()).toBe(`MSA-HMAC pod=mysql-1,ts=1700000000,nonce=${nonce},sig=${expectedSig}`);
    expect(AUTH_SCHEME).toBe('MSA-HMAC');
    expect(AUTH_WINDOW_SECONDS).toBe(60);
  });

  it('truncates the timestamp to whole seconds', () => {
    expect(sign({ now: now + 999 })).toBe(sign());
    expect(sign({ now: now + 1000 })).toContain(',ts=1700000001,');
  });

  it('draws a fresh 128-bit hex nonce for every request when none is given', () => {
    const headers = Array.from({ length: 50 }, () => signRequest({ ...request, secret, now }));
    const nonces = headers.map((header) => /,nonce=([^,]*),/.exec(header)?.[1]);
    for (const n of nonces) expect(n).toMatch(/^[0-9a-f]{32}$/);
    expect(new Set(nonces).size).toBe(50);
  });

  it('never puts the secret into the header', () => {
    for (const s of [secret, 'abcdef0123456789', 'mysql-1', '1700000000']) {
      const header = sign({ secret: s, pod: 'mysql-2' });
      expect(header.split(',sig=')[1]).not.toContain(s);
      if (s !== '1700000000') expect(header).not.toContain(s);
    }
  });

  it('signatures differ for different secrets', () => {
    expect(sign({ secret: 'a' })).not.toBe(sign({ secret: 'b' }));
  });
});

describe('verifyRequest', () => {
  it('accepts a signed request and returns the caller pod', () => {
    expect(verify(sign())).toEqual({ ok: true, pod: 'mysql-1' });
    expect(verify(sign({ pod: 'db-set-12' }))).toEqual({ ok: true, pod: 'db-set-12' });
  });

  it('uses the current clock when no time is injected', () => {
    const header = signRequest({ ...request, secret });
    expect(verifyRequest({ header, ...request, secret, nonces: new NonceCache() })).toEqual({ ok: true, pod: 'mysql-1' });
  });

  it('rejects a wrong secret', () => {
    expect(verify(sign(), { secret: 'another secret' })).toEqual({ ok: false, reason: 'bad signature from mysql-1' });
  });

  it('rejects a request signed for another set with the same secret (the set is signed, not sent)', () => {
    expect(sign({ set: 'mysql/mysql.other' })).not.toContain('mysql.other');
    expect(verify(sign({ set: 'mysql/mysql.other' }))).toEqual({ ok: false, reason: 'bad signature from mysql-1' });
    expect(verify(sign({ set: 'db/mysql.default' }))).toEqual({ ok: false, reason: 'bad signature from mysql-1' });
  });

  it('rejects a header whose pod was changed', () => {
    const header = sign().replace('pod=mysql-1,', 'pod=mysql-2,');
    expect(verify(header)).toEqual({ ok: false, reason: 'bad signature from mysql-2' });
  });

  it.each([
    ['method', { method: 'POST' }],
    ['path', { path: '/v1/backup/../status' }],
    ['path with a query', { path: '/v1/backup?x=1' }],
  ])('rejects a request whose %s differs from the signed one', (_what, change) => {
    expect(verify(sign(), change)).toEqual({ ok: false, reason: 'bad signature from mysql-1' });
  });

  it('rejects a changed nonce or timestamp inside the window', () => {
    const otherNonce = sign().replace(`nonce=${nonce}`, `nonce=${nonce.replace(/^0/, '1')}`);
    expect(verify(otherNonce)).toEqual({ ok: false, reason: 'bad signature from mysql-1' });
    const otherTs = sign().replace('ts=1700000000', 'ts=1700000001');
    expect(verify(otherTs)).toEqual({ ok: false, reason: 'bad signature from mysql-1' });
  });

  it('accepts a timestamp up to the window away, either way', () => {
    expect(verify(sign(), { now: now + AUTH_WINDOW_SECONDS * 1000 + 999 })).toEqual({ ok: true, pod: 'mysql-1' });
    expect(verify(sign(), { now: now - AUTH_WINDOW_SECONDS * 1000 })).toEqual({ ok: true, pod: 'mysql-1' });
  });

  it('rejects a timestamp too old', () => {
    expect(verify(sign(), { now: now + 61_000 })).toEqual({
      ok: false,
      reason: 'timestamp 1700000000 is outside ±60 s of ours (1700000061)',
    });
  });

  it('rejects a timestamp too far in the future', () => {
    expect(verify(sign(), { now: now - 61_000 })).toEqual({
      ok: false,
      reason: 'timestamp 1700000000 is outside ±60 s of ours (1699999939)',
    });
  });

  const malformed = 'no or malformed Authorization header';
  it.each([
    ['missing', undefined],
    ['empty', ''],
    ['another scheme', 'Bearer abc'],
    ['the scheme only', 'MSA-HMAC'],
  ])('rejects a %s header', (_what, header) => {
    expect(verify(header)).toEqual({ ok: false, reason: malformed });
  });

  it.each([
    ['lower-case scheme', (h: string) => h.replace('MSA-HMAC', 'msa-hmac')],
    ['a leading space', (h: string) => ` ${h}`],
    ['a trailing space', (h: string) => `${h} `],
    ['fields in another order', (h: string) => h.replace(/pod=([^,]*),ts=([^,]*),/, 'ts=$2,pod=$1,')],
    ['a missing field', (h: string) => h.replace(/,nonce=[^,]*/, '')],
    ['an extra field', (h: string) => `${h},x=1`],
    ['an upper-case pod', (h: string) => h.replace('pod=mysql-1', 'pod=MYSQL-1')],
    ['an empty pod', (h: string) => h.replace('pod=mysql-1', 'pod=')],
    ['a 64-character pod', (h: string) => h.replace('pod=mysql-1', `pod=${'a'.repeat(64)}`)],
    ['a negative timestamp', (h: string) => h.replace('ts=', 'ts=-')],
    ['a fractional timestamp', (h: string) => h.replace('ts=1700000000', 'ts=1700000000.5')],
    ['a short nonce', (h: string) => h.replace(`nonce=${nonce}`, 'nonce=0011223344')],
    ['an upper-case nonce', (h: string) => h.replace(`nonce=${nonce}`, `nonce=${nonce.toUpperCase()}`)],
    ['a truncated signature', (h: string) => h.slice(0, -2)],
    ['a longer signature', (h: string) => `${h}00`],
    ['a non-hex signature', (h: string) => h.replace(/sig=./, 'sig=g')],
  ])('rejects a header with %s as malformed', (_what, change) => {
    const header = change(sign());
    expect(header).not.toBe(sign());
    expect(verify(header)).toEqual({ ok: false, reason: malformed });
  });

  it('rejects a replayed header (the same nonce twice)', () => {
    const nonces = new NonceCache();
    const header = sign();
    expect(verify(header, { nonces })).toEqual({ ok: true, pod: 'mysql-1' });
    expect(verify(header, { nonces, now: now + 5_000 })).toEqual({ ok: false, reason: 'replayed request from mysql-1' });
    // A fresh header from the same pod passes.
    expect(verify(sign({ nonce: 'ffeeddccbbaa99887766554433221100' }), { nonces })).toEqual({ ok: true, pod: 'mysql-1' });
  });

  it('rejects a replay even when another request re-signs the same nonce at another time', () => {
    const nonces = new NonceCache();
    expect(verify(sign(), { nonces })).toEqual({ ok: true, pod: 'mysql-1' });
    const later = sign({ now: now + 30_000 });
    expect(verify(later, { nonces, now: now + 30_000 })).toEqual({ ok: false, reason: 'replayed request from mysql-1' });
  });

  it('remembers a nonce for as long as its header can pass the window check', () => {
    const nonces = new NonceCache();
    // Signed at the far end of the window, first used at the near end...
    const header = sign();
    expect(verify(header, { nonces, now: now - AUTH_WINDOW_SECONDS * 1000 })).toEqual({ ok: true, pod: 'mysql-1' });
    // ...and replayed at the other end, 2 windows later.
    expect(verify(header, { nonces, now: now + AUTH_WINDOW_SECONDS * 1000 })).toEqual({
      ok: false,
      reason: 'replayed request from mysql-1',
    });
  });

  it('does not burn the nonce on a request that fails the signature check', () => {
    const nonces = new NonceCache();
    const header = sign();
    expect(verify(header.replace('pod=mysql-1', 'pod=mysql-9'), { nonces })).toEqual({
      ok: false,
      reason: 'bad signature from mysql-9',
    });
    expect(verify(header, { nonces, secret: 'wrong' })).toEqual({ ok: false, reason: 'bad signature from mysql-1' });
    expect(verify(header, { nonces })).toEqual({ ok: true, pod: 'mysql-1' });
  });

  it('gives a distinct reason for each kind of failure', () => {
    const nonces = new NonceCache();
    const header = sign();
    verify(header, { nonces });
    const reasons = [
      verify(undefined),
      verify(header, { now: now + 120_000 }),
      verify(header, { secret: 'wrong' }),
      verify(header, { nonces }),
    ].map((result) => (result.ok ? 'ok' : result.reason.split(' ')[0]));
    expect(reasons).toEqual(['no', 'timestamp', 'bad', 'replayed']);
  });
});

describe('NonceCache', () => {
  it('lets each nonce through once', () => {
    const cache = new NonceCache();
    expect(cache.claim('a', 100)).toBe(true);
    expect(cache.claim('a', 100)).toBe(false);
    expect(cache.claim('b', 100)).toBe(true);
  });

  it('forgets a nonce only after twice the window', () => {
    const cache = new NonceCache();
    expect(cache.claim('a', 1000)).toBe(true);
    expect(cache.claim('a', 1000 + 2 * AUTH_WINDOW_SECONDS)).toBe(false);
    expect(cache.claim('a', 1000 + 2 * AUTH_WINDOW_SECONDS + 1)).toBe(true);
    expect(cache.claim('a', 1000 + 2 * AUTH_WINDOW_SECONDS + 1)).toBe(false);
  });

  it('keeps caches independent', () => {
    const one = new NonceCache();
    const two = new NonceCache();
    expect(one.claim('a', 0)).toBe(true);
    expect(two.claim('a', 0)).toBe(true);
  });
});

describe('sign → verify properties', () => {
  const podName = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/);
  const path = fc.stringMatching(/^\/[!-~]{0,80}$/);
  const method = fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'HEAD');
  const secrets = fc.string({ unit: 'binary', minLength: 1, maxLength: 80 });
  const clock = fc.integer({ min: 0, max: 4_000_000_000_000 });
  // Characters a tamperer might put in: hex, digits, letters, the header's own punctuation.
  const replacement = fc.constantFrom(...'0123456789abcdefgxzABCDEFZ-=,: .\t'.split(''));

  it('round-trips for any secret, pod, method, path and time', () => {
    fc.assert(
      fc.property(secrets, podName, method, path, clock, (s, pod, m, p, t) => {
        const header = signRequest({ set, method: m, path: p, pod, secret: s, now: t });
        expect(verifyRequest({ header, set, method: m, path: p, secret: s, nonces: new NonceCache(), now: t })).toEqual({
          ok: true,
          pod,
        });
      }),
    );
  });

  it('the header never contains the secret', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 12, maxLength: 80 }), path, clock, (s, p, t) => {
        // A hex-only secret could turn up in a hex signature by chance (1 in 16^12).
        fc.pre(!/^[0-9a-f]+$/.test(s));
        expect(signRequest({ set, method: 'GET', path: p, pod: 'mysql-1', secret: s, now: t })).not.toContain(s);
      }),
    );
  });

  it('fails after any single-character change of the header', () => {
    fc.assert(
      fc.property(secrets, podName, path, clock, fc.nat(), replacement, (s, pod, p, t, at, char) => {
        const header = signRequest({ set, method: 'GET', path: p, pod, secret: s, now: t });
        const index = at % header.length;
        fc.pre(header[index] !== char);
        const tampered = header.slice(0, index) + char + header.slice(index + 1);
        const result = verifyRequest({ header: tampered, set, method: 'GET', path: p, secret: s, nonces: new NonceCache(), now: t });
        expect(result.ok).toBe(false);
      }),
    );
  });

  it('fails after deleting any single character of the header', () => {
    fc.assert(
      fc.property(secrets, podName, clock, fc.nat(), (s, pod, t, at) => {
        const header = signRequest({ set, method: 'GET', path: '/v1/backup', pod, secret: s, now: t });
        const index = at % header.length;
        const tampered = header.slice(0, index) + header.slice(index + 1);
        const result = verifyRequest({ header: tampered, set, method: 'GET', path: '/v1/backup', secret: s, nonces: new NonceCache(), now: t });
        expect(result.ok).toBe(false);
      }),
    );
  });

  it('fails for any other secret', () => {
    fc.assert(
      fc.property(secrets, secrets, podName, clock, (a, b, pod, t) => {
        // HMAC pads short keys with zero bytes, so 'k' and 'k\\0' are the same key.
        const key = (text: string) => Buffer.from(text).toString('hex').replace(/(00)+$/, '');
        fc.pre(key(a) !== key(b));
        const header = signRequest({ set, method: 'GET', path: '/v1/backup', pod, secret: a, now: t });
        expect(verifyRequest({ header, set, method: 'GET', path: '/v1/backup', secret: b, nonces: new NonceCache(), now: t })).toEqual({
          ok: false,
          reason: `bad signature from ${pod}`,
        });
      }),
    );
  });
});
