import { connect } from 'node:net';
import fc from 'fast-check';

/**
 * Garbage for an HTTP port: requests that are almost right (odd methods,
 * paths, versions, headers, bodies and lengths that lie) and bytes that are
 * nothing at all. Sent over a raw connection (through a pod's port
 * forwarder), so nothing on our side tidies them up first.
 */

export interface FuzzCase {
  readonly bytes: Uint8Array;
  /** The request's path when it is an HTTP request, for judging a 503. */
  readonly path: string | undefined;
}

export interface FuzzAnswer {
  /** Status codes of every response head the server sent back (pipelined garbage can get several). */
  readonly statuses: readonly number[];
}

const KNOWN_PATHS = ['/', '/healthz', '/readyz', '/status', '/metrics', '/v1/backup', '/v1/backup/00000000-0000-0000-0000-000000000000/status'];
const METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'OPTIONS', 'PATCH', 'TRACE', 'CONNECT', 'PRI', 'get'];
const HEADER_NAMES = ['Host', 'Content-Length', 'Transfer-Encoding', 'Upgrade', 'Connection', 'Authorization', 'Expect', 'Content-Type', 'Accept-Encoding'];
const HEADER_VALUES = [
  'chunked',
  'mysql-sts-backup',
  'Upgrade',
  'keep-alive',
  '100-continue',
  '-1',
  '99999999999999999999',
  'application/json',
  'gzip, br',
  'MSA-HMAC pod=mysql-9,ts=1,nonce=00000000000000000000000000000000,sig=' + '0'.repeat(64),
];

const token = (alphabet: readonly string[]) => fc.constantFrom(...alphabet);
const printable = fc.string({ maxLength: 40 });

const path = fc.oneof(
  token(KNOWN_PATHS),
  fc.tuple(token(KNOWN_PATHS), fc.webQueryParameters()).map(([base, query]) => `${base}?${query}`),
  fc.webPath(),
  fc.constantFrom('*', 'http://mysql-0/healthz', '//', '/%', '/%ZZ', '/..%2f..%2fetc/passwd', '/readyz/../status'),
  printable,
);

const header = fc.tuple(
  fc.oneof(token(HEADER_NAMES), fc.string({ minLength: 1, maxLength: 20 })),
  fc.oneof(token(HEADER_VALUES), printable, fc.nat().map(String)),
);

const httpRequest: fc.Arbitrary<FuzzCase> = fc
  .record({
    method: fc.oneof(token(METHODS), fc.stringMatching(/^[A-Za-z]{1,12}$/), printable),
    path,
    version: fc.oneof(fc.constant('HTTP/1.1'), fc.constantFrom('HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1.1', ''), printable),
    headers: fc.array(header, { maxLength: 8 }),
    body: fc.oneof(fc.constant(new Uint8Array()), fc.uint8Array({ maxLength: 512 }), printable.map((text) => new TextEncoder().encode(text))),
    lineEnd: fc.constantFrom('\r\n', '\n', '\r'),
  })
  .map(({ method, path: target, version, headers, body, lineEnd }) => {
    const head = [`${method} ${target} ${version}`, ...headers.map(([name, value]) => `${name}: ${value}`)].join(lineEnd);
    const prefix = Buffer.from(`${head}${lineEnd}${lineEnd}`, 'utf8');
    return { bytes: Buffer.concat([prefix, body]), path: target };
  });

const rawBytes: fc.Arbitrary<FuzzCase> = fc.uint8Array({ minLength: 1, maxLength: 2048 }).map((bytes) => ({ bytes, path: undefined }));

/** Mostly near-HTTP, some pure noise. */
export const fuzzCase: fc.Arbitrary<FuzzCase> = fc.oneof({ arbitrary: httpRequest, weight: 4 }, { arbitrary: rawBytes, weight: 1 });

const STATUS_LINE = /HTTP\/\d\.\d (\d{3})/g;

/** Silence after an answer that ends the exchange (a keep-alive server keeps the connection open). */
const QUIET_MS = 50;
/** No answer by then: close our side, as a client that has nothing more to send would. */
const HALF_CLOSE_MS = 300;
const GIVE_UP_MS = 1_500;

/**
 * Writes the bytes on a fresh connection and reads what comes back: until the
 * server closes, or falls quiet after answering. A server that waits for more
 * (a body shorter than its Content-Length) is told by a half-close that
 * nothing more comes; closing without an answer is not a fault.
 */
export function sendRaw(socketPath: string, bytes: Uint8Array): Promise<FuzzAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(socketPath);
    const chunks: Buffer[] = [];
    let quiet: NodeJS.Timeout | undefined;
    const finish = (): void => {
      clearTimeout(quiet);
      clearTimeout(halfClose);
      clearTimeout(giveUp);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ statuses: [...text.matchAll(STATUS_LINE)].map((match) => Number(match[1])) });
    };
    const halfClose = setTimeout(() => socket.end(), HALF_CLOSE_MS);
    const giveUp = setTimeout(finish, GIVE_UP_MS);
    socket.on('connect', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      clearTimeout(halfClose);
      clearTimeout(quiet);
      quiet = setTimeout(finish, QUIET_MS);
    });
    socket.on('close', finish);
    // A reset after the server answered is how some servers close on garbage: keep what came.
    socket.on('error', (error: NodeJS.ErrnoException) => (error.code === 'ECONNRESET' || error.code === 'EPIPE' ? finish() : reject(error)));
  });
}

/** The only 5xx the HTTP surface documents: 503 from a probe that says not ready or not alive. */
export function isDocumentedServerError(status: number, path: string | undefined): boolean {
  return status === 503 && path !== undefined && /^\/(readyz|healthz)(\?|$)/.test(path);
}

/**
 * Sends `runs` fuzz cases to the port behind `socketPath`; fails (with
 * fast-check's counterexample) on any 5xx but a probe's documented 503.
 * Returns how many cases got an answer, so a caller can tell the run was
 * not vacuous.
 */
export async function fuzzPort(socketPath: string, runs: number): Promise<{ answered: number }> {
  let answered = 0;
  await fc.assert(
    fc.asyncProperty(fuzzCase, async ({ bytes, path }) => {
      const { statuses } = await sendRaw(socketPath, bytes);
      if (statuses.length > 0) answered += 1;
      const undocumented = statuses.filter((status) => status >= 500 && !isDocumentedServerError(status, path));
      if (undocumented.length > 0) throw new Error(`${socketPath}: ${path ?? '(raw bytes)'} answered ${undocumented.join(', ')}`);
    }),
    // A live system: shrinking after a failure would hammer a server that may be down; the first counterexample is reported.
    { numRuns: runs, endOnFailure: true },
  );
  return { answered };
}
