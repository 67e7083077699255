import { execa } from 'execa';
import type { ClientRequest, IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { nodeHttp } from '../../node-http.js';
import type { MutualTls } from '../../http/fastify.js';
import type { Flavor } from '../../mysql/server-version.js';
import type { Secret } from '../../secret.js';
import { signRequest } from '../auth.js';
import { extractCommand } from '../backup-tool.js';
import { AgentError, lastLine } from '../../errors.js';
import { describeFault, formatGiB, localFaultIn, type LocalFault } from '../failure.js';
import { checkRoom, roomNeeded } from './room.js';
import { STALL_TIMEOUT_MS, watchProgress, type ProgressListener } from './watch-progress.js';
import { coalesce } from '../coalesce.js';
import { BACKUP_ID_HEADER, BACKUP_PATH, ESTIMATE_HEADER, GO, statusPath, UPGRADE_PROTOCOL, type BackupStatus } from '../protocol.js';

/** Where a donor's clone port is, and the name its TLS certificate must carry. */
export interface DonorAddress {
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

/** Everything a signed request to one donor needs. */
interface DonorChannel {
  readonly donor: DonorAddress;
  readonly pod: string;
  /** `setIdentity` of our set: signed into every request, so only a donor of this set accepts it. */
  readonly set: string;
  readonly cloneSecret: Secret;
  readonly tls?: MutualTls | undefined;
  /** Init's stop: ends the requests, the extractor and the connection (which ends the donor's backup). */
  readonly signal?: AbortSignal | undefined;
}

type ReceiveInput = DonorChannel & {
  readonly flavor: Flavor;
  readonly stagingDir: string;
  /** The data volume, as messages name it. */
  readonly volume: string;
  readonly parallel: number;
  readonly onProgress?: ProgressListener;
};

/**
 * Receives a backup from `donor` into `stagingDir` (protocol in protocol.ts):
 * the upgraded connection is handed to the extractor (`mbstream -x` /
 * `xbstream -x`), and once it exits the donor must confirm the backup was
 * complete. Anything else (refusal, cut connection, stall, failed status,
 * extractor error) is an AgentError of the clone stage, and the caller throws the staging dir away.
 * An aborted signal SIGKILLs the extractor (what it wrote is thrown away) and
 * closes the connection; once the extractor has exited, the signal's reason is thrown.
 */
export async function receiveBackup(input: ReceiveInput): Promise<Received> {
  const { donor, signal } = input;
  const started = Date.now();
  const { socket, id, expectedBytes } = await upgrade(input);
  // Before GO, so a volume that cannot hold the clone costs the donor no backup.
  await checkRoom({ estimate: expectedBytes, dir: input.stagingDir, volume: input.volume }).catch((error: unknown) => {
    socket.destroy();
    throw error;
  });
  const hangUp = () => socket.destroy();
  signal?.addEventListener('abort', hangUp, { once: true });
  const unpacked = await unpack(input, socket, expectedBytes).finally(() => {
    socket.destroy();
    signal?.removeEventListener('abort', hangUp);
  });
  // Stopped: the extractor has exited; asking the donor would only make init wait.
  signal?.throwIfAborted();
  const { bytes, failure, local } = unpacked;
  if (local !== undefined) {
    // Our volume's own fault: no donor can fix it, and what the donor says (the recipient went away) would only hide it.
    const room = expectedBytes === undefined ? '' : `; the clone needs about ${formatGiB(roomNeeded(expectedBytes))}`;
    const message = `${describeFault(local.fault)} while unpacking the clone from ${donor.name} after ${bytes} bytes: ${local.line}${room}`;
    throw new AgentError('clone', message, { fault: local.fault });
  }
  if (unpacked.stalled) {
    throw new AgentError('clone', `the stream from ${donor.name} stalled after ${bytes} bytes (nothing for ${STALL_TIMEOUT_MS / 1000} s)`);
  }
  if (failure !== undefined) {
    // Our own failure first; what the donor says follows, since a donor that died makes the extractor fail too.
    const donorSays = await confirm(input, id, bytes).then(
      () => 'the donor reported its backup complete',
      (error: Error) => error.message,
    );
    throw new AgentError('clone', `${unpacked.tool} failed to unpack the stream from ${donor.name} (${failure}); ${donorSays}`);
  }
  const status = await confirm(input, id, bytes);
  return { bytes: Math.max(status.bytes, bytes), seconds: (Date.now() - started) / 1000 };
}

/**
 * Runs the extractor on the upgraded connection until it exits: what it
 * unpacked, whether the donor stalled, and why it failed if it did. The
 * extractor is SIGKILLed on abort: nothing it wrote is kept.
 */
async function unpack(
  input: ReceiveInput,
  socket: Socket,
  expectedBytes: number | undefined,
): Promise<{ tool: string; bytes: number; stalled: boolean; failure: string | undefined; local: { fault: LocalFault; line: string } | undefined }> {
  const extract = extractCommand(input.flavor, input.stagingDir, input.parallel);
  const handOff = input.tls === undefined;
  const extractor = execa(extract.file, extract.args, {
    stdin: handOff ? socket : 'pipe',
    stdout: 'ignore',
    reject: false,
    cancelSignal: input.signal,
    killSignal: 'SIGKILL',
  });
  // Our own extractor must run before the donor starts a backup for nothing (and before its status is asked).
  const spawnError = await new Promise<Error | undefined>((resolve) => {
    extractor.once('spawn', () => resolve(undefined));
    extractor.once('error', (error) => resolve(error));
  });
  if (spawnError !== undefined) {
    socket.destroy();
    await extractor;
    throw new AgentError('clone', `could not run ${extract.file} to unpack the stream (${spawnError.message}): the agent image must carry it`);
  }
  const piped = handOff ? undefined : pipeline(socket, coalesce(), extractor.stdin as NodeJS.WritableStream).catch((error: Error) => error);
  socket.write(GO);
  const watch = watchProgress({ dir: input.stagingDir, expectedBytes, onProgress: input.onProgress, onStall: () => extractor.kill() });
  const extracted = await extractor;
  const bytes = await watch.stop();
  const pipeError = await piped;
  const stderr = String(extracted.stderr);
  // The whole of stderr, not its last line: mbstream names the OS error first and then other complaints (out-of-order chunk).
  const local = localFaultIn(stderr);
  // mbstream exits 0 after "failed to create file" (a read-only volume, EEXIST): a complaint fails the extraction whatever the exit code.
  const complained = /error|failed/i.test(stderr);
  const exitFailure = extracted.exitCode === 0 && !complained ? undefined : `exit ${extracted.exitCode ?? extracted.signal}: ${local?.line ?? lastLine(stderr)}`;
  return { tool: extract.file, bytes, stalled: watch.stalled, failure: pipeError instanceof Error ? pipeError.message : exitFailure, local };
}

/** The signed upgrade request; anything but 101 becomes an error that says what to do. */
function upgrade(input: DonorChannel): Promise<{ socket: Socket; id: string; expectedBytes: number | undefined }> {
  const { donor } = input;
  return new Promise((resolve, reject) => {
    const req = send(input, BACKUP_PATH, { connection: 'Upgrade', upgrade: UPGRADE_PROTOCOL });
    req.on('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) => {
      const id = String(response.headers[BACKUP_ID_HEADER] ?? '');
      if (head.length > 0 || !/^[0-9a-f-]{36}$/.test(id)) {
        socket.destroy();
        return reject(new AgentError('clone', `${donor.name} broke the clone protocol`));
      }
      resolve({ socket, id, expectedBytes: Number(response.headers[ESTIMATE_HEADER]) || undefined });
    });
    req.on('response', (response: IncomingMessage) => {
      response.resume();
      reject(refusal(donor, response.statusCode ?? 0));
    });
    req.on('error', (error) => reject(unreachable(donor, error)));
    req.end();
  });
}

/** After the stream: only the donor knows whether its tool exited 0. */
async function confirm(input: DonorChannel, id: string, bytes: number): Promise<BackupStatus> {
  const { donor } = input;
  const status = await new Promise<BackupStatus>((resolve, reject) => {
    const req = send(input, statusPath(id), {});
    req.on('response', (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as BackupStatus);
        } catch (error) {
          reject(error);
        }
      });
    });
    req.on('error', reject);
    req.end();
  }).catch((error: Error) => {
    throw new AgentError('clone', `the stream from ${donor.name} was cut after ${bytes} bytes (the donor cannot confirm it: ${error.message})`, { cause: error });
  });
  if (status.status !== 'ok') {
    throw new AgentError('clone', `the backup from ${donor.name} is incomplete after ${bytes} bytes: the donor reported: ${status.status}: ${status.reason}`);
  }
  return status;
}

function send(input: DonorChannel, path: string, headers: Record<string, string>): ClientRequest {
  const { donor, tls } = input;
  const authorization = signRequest({ set: input.set, method: 'GET', path, pod: input.pod, secret: input.cloneSecret.reveal() });
  const options = { host: donor.address, port: donor.port, path, headers: { ...headers, authorization }, signal: input.signal };
  // With TLS the certificate is checked against the donor's stable name, not the address we dial.
  return tls === undefined ? nodeHttp.request(options) : httpsRequest({ ...options, ...tls, servername: donor.fqdn });
}

function refusal(donor: DonorAddress, status: number): AgentError {
  if (status === 401) {
    return new AgentError('clone', `${donor.name} refused our credentials (401): CLONE_SECRET must be the same on every pod, and clocks within 60 s`, { fault: 'unauthorized' });
  }
  const message = status === 429 ? `${donor.name} is already streaming a backup to another pod (429)` : `${donor.name} answered HTTP ${status} instead of a backup`;
  return new AgentError('clone', message);
}

function unreachable(donor: DonorAddress, error: Error): AgentError {
  return new AgentError('clone', `failed to reach ${donor.name}'s donor at ${donor.address}:${donor.port}: ${error.message}`, { cause: error });
}
