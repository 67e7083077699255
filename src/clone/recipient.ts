import { execa } from 'execa';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { MutualTls } from '../http/fastify.js';
import type { Flavor } from '../mysql/server-version.js';
import type { Secret } from '../secret.js';
import { signRequest } from './auth.js';
import { extractCommand } from './backup-tool.js';
import { CloneError } from './clone-error.js';
import { BACKUP_PATH, ESTIMATE_HEADER, STATUS_TRAILER } from './donor.js';

const STREAM_IDLE_TIMEOUT_MS = 60_000;

export interface Donor {
  readonly name: string;
  /** The stable DNS name: what the donor's TLS certificate must be valid for. */
  readonly fqdn: string;
  readonly address: string;
  readonly port: number;
}

export interface Received {
  readonly bytes: number;
  readonly seconds: number;
}

/**
 * Streams a backup from `donor` straight into the extractor (`mbstream -x` /
 * `xbstream -x`) in `stagingDir`. It succeeds only when the donor's trailer says
 * `ok` and the extractor exits 0: a cut connection, a missing trailer or a
 * failed backup is a CloneError, and the caller throws the staging dir away.
 */
export async function receiveBackup(input: {
  donor: Donor;
  pod: string;
  cloneSecret: Secret;
  flavor: Flavor;
  stagingDir: string;
  parallel: number;
  tls?: MutualTls;
  signal?: AbortSignal;
  onProgress?: (progress: { bytes: number; expectedBytes: number | undefined }) => void;
}): Promise<Received> {
  const { donor } = input;
  const started = Date.now();
  const response = await get(input);
  const expectedBytes = Number(response.headers[ESTIMATE_HEADER]) || undefined;
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      input.onProgress?.({ bytes, expectedBytes });
      callback(null, chunk);
    },
  });
  const extract = extractCommand(input.flavor, input.stagingDir, input.parallel);
  const extractor = execa(extract.file, extract.args, { stdout: 'ignore', reject: false, cancelSignal: input.signal });
  try {
    await pipeline(response, counter, extractor.stdin);
  } catch (error) {
    extractor.kill();
    await extractor;
    throw new CloneError({
      donor: donor.name,
      message: `the stream from ${donor.name} was cut after ${bytes} bytes (${(error as Error).message})`,
      retryable: true,
      cause: error,
    });
  }
  const extracted = await extractor;
  const status = response.trailers[STATUS_TRAILER];
  if (status !== 'ok') {
    const why = status === undefined ? 'it ended without an end-of-stream status' : `the donor reported: ${status}`;
    throw new CloneError({ donor: donor.name, message: `the backup from ${donor.name} is incomplete after ${bytes} bytes: ${why}`, retryable: true });
  }
  if (extracted.exitCode !== 0) {
    throw new CloneError({
      donor: donor.name,
      message: `${extract.file} failed to unpack the stream from ${donor.name} (exit ${extracted.exitCode ?? extracted.signal}): ${lastLine(String(extracted.stderr))}`,
      retryable: true,
    });
  }
  return { bytes, seconds: (Date.now() - started) / 1000 };
}

/** The signed GET; anything but 200 becomes a CloneError that says what to do. */
function get(input: { donor: Donor; pod: string; cloneSecret: Secret; tls?: MutualTls; signal?: AbortSignal }): Promise<IncomingMessage> {
  const { donor, tls } = input;
  const authorization = signRequest({ method: 'GET', path: BACKUP_PATH, pod: input.pod, secret: input.cloneSecret.reveal() });
  const options = { host: donor.address, port: donor.port, path: BACKUP_PATH, headers: { authorization }, signal: input.signal };
  return new Promise((resolve, reject) => {
    const onResponse = (response: IncomingMessage) => {
      if (response.statusCode === 200) return resolve(response);
      response.resume();
      reject(refusal(donor, response));
    };
    // With TLS the certificate is checked against the donor's stable name, not the address we dial.
    const req = tls === undefined ? httpRequest(options, onResponse) : httpsRequest({ ...options, ...tls, servername: donor.fqdn }, onResponse);
    // A donor that hangs (SIGSTOP, a dead link) must not hang the init container with it.
    req.setTimeout(STREAM_IDLE_TIMEOUT_MS, () => req.destroy(new Error(`no data for ${STREAM_IDLE_TIMEOUT_MS / 1000} s`)));
    req.on('error', (error) =>
      reject(new CloneError({ donor: donor.name, message: `failed to reach ${donor.name}'s donor at ${donor.address}:${donor.port}: ${error.message}`, retryable: true, cause: error })),
    );
    req.end();
  });
}

function refusal(donor: Donor, response: IncomingMessage): CloneError {
  const status = response.statusCode ?? 0;
  const message =
    status === 401
      ? `${donor.name} refused our credentials (401): CLONE_SECRET must be the same on every pod, and clocks within 60 s`
      : status === 429
        ? `${donor.name} is already streaming a backup to another pod (429)`
        : `${donor.name} answered HTTP ${status} instead of a backup`;
  return new CloneError({ donor: donor.name, message, retryable: true });
}

function lastLine(text: string): string {
  return text.trim().split('\n').at(-1) ?? 'no message';
}
