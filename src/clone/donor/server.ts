import { isOutsideBackup } from '../../data-dir/backup-size.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import type { FastifyBaseLogger, FastifyInstance } from 'fastify';
import { directorySize } from '../../fs/directory-size.js';
import { createFastify, type MutualTls } from '../../http/fastify.js';
import type { Logger } from '../../log.js';
import type { Flavor } from '../../mysql/server-version.js';
import type { Secret } from '../../secret.js';
import { AUTH_SCHEME, NonceCache, verifyRequest, type AuthResult } from '../auth.js';
import type { BackupOutcome, RunningBackup } from './backup-process.js';
import type { DonorMetrics } from './metrics.js';
import { BACKUP_ID_HEADER, BACKUP_PATH, ESTIMATE_HEADER, GO, statusPath, UPGRADE_PROTOCOL, type BackupStatus } from '../protocol.js';

const RETRY_AFTER_SECONDS = 30;
const GO_TIMEOUT_MS = 10_000;
/** How long the outcome of a finished backup can be asked for. */
const OUTCOME_KEPT_MS = 15 * 60_000;

export interface DonorOptions {
  readonly logger: Logger;
  readonly metrics: DonorMetrics;
  readonly cloneSecret: Secret;
  /** `setIdentity` of the donor's set: a request signed for another set is refused. */
  readonly set: string;
  readonly flavor: Flavor;
  readonly dataDir: string;
  readonly mysql: { host: string; port: number; user: string; password: Secret };
  readonly parallel: number;
  /** Mutual TLS on the donor port; without it the HMAC still authenticates every request. */
  readonly tls?: MutualTls;
}

/** The donor's HTTP server on the clone port, and how to stop it. */
export interface CloneDonorServer {
  readonly app: FastifyInstance;
  /** Refuses new backups and ends the one in flight (its status then says failed). */
  shutdown(): Promise<void>;
}

/**
 * The clone donor on its own port (protocol in protocol.ts): authenticated
 * peers get the backup tool's xbstream, one at a time, over an upgraded
 * connection; the status request says whether it was complete.
 */
export function buildDonorApp(options: DonorOptions): CloneDonorServer {
  const app = createFastify(options.logger, options.tls);
  const nonces = new NonceCache();
  const slot = new BackupSlot();
  const { metrics } = options;
  const authorize = (header: string | undefined, path: string) =>
    verifyRequest({ header, set: options.set, method: 'GET', path, secret: options.cloneSecret.reveal(), nonces });

  app.get(BACKUP_PATH, async (request, reply) => {
    const auth = authorize(request.headers.authorization, BACKUP_PATH);
    if (!auth.ok) {
      metrics.rejected.inc({ reason: 'unauthorized' });
      request.log.warn({ remote: request.ip, reason: auth.reason }, 'refused a clone request');
      return reply.code(401).header('www-authenticate', AUTH_SCHEME).send({ error: 'unauthorized' });
    }
    return reply.code(426).header('upgrade', UPGRADE_PROTOCOL).send({ error: `send Upgrade: ${UPGRADE_PROTOCOL}` });
  });

  addStatusRoute(app, authorize, slot);

  app.server.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const auth = authorize(request.headers.authorization, request.url ?? '');
    if (request.url !== BACKUP_PATH || request.headers.upgrade !== UPGRADE_PROTOCOL || head.length > 0) {
      return refuseUpgrade(socket, '400 Bad Request', { error: `expected GET ${BACKUP_PATH} with Upgrade: ${UPGRADE_PROTOCOL}` });
    }
    if (!auth.ok) {
      metrics.rejected.inc({ reason: 'unauthorized' });
      options.logger.warn({ remote: socket.remoteAddress, reason: auth.reason }, 'refused a clone request');
      return refuseUpgrade(socket, '401 Unauthorized', { error: 'unauthorized' }, { 'WWW-Authenticate': AUTH_SCHEME });
    }
    if (!slot.take()) {
      const closing = slot.closing;
      metrics.rejected.inc({ reason: closing ? 'shutting_down' : 'busy' });
      const error = closing ? 'shutting down' : 'a backup is already being streamed; one at a time';
      return refuseUpgrade(socket, closing ? '503 Service Unavailable' : '429 Too Many Requests', { error }, { 'Retry-After': String(RETRY_AFTER_SECONDS) });
    }
    serveBackup({ options, socket, recipient: auth.pod, log: options.logger as FastifyBaseLogger })
      .then((backup) => slot.started(backup))
      .catch((error: unknown) => {
        slot.release();
        options.logger.warn({ recipient: auth.pod, error: (error as Error).message }, 'could not start a backup stream');
        socket.destroy();
      });
  });

  return {
    app,
    async shutdown() {
      await slot.close();
      await app.close();
    },
  };
}

/**
 * One backup at a time, and the outcomes of recent ones for their status
 * requests. The slot is taken before the first await of a request, so two
 * requests arriving together cannot both start a backup.
 */
class BackupSlot {
  readonly #outcomes = new Map<string, { done: Promise<BackupOutcome>; at: number }>();
  #current: RunningBackup | undefined;
  #taken = false;
  #closing = false;

  get closing(): boolean {
    return this.#closing;
  }

  take(): boolean {
    if (this.#closing || this.#taken) return false;
    this.#taken = true;
    return true;
  }

  release(): void {
    this.#taken = false;
  }

  started(backup: RunningBackup & { id: string }): void {
    this.#current = backup;
    // The shutdown came while this one waited for GO or was starting: it never got the abort.
    if (this.#closing) backup.abort('the donor is shutting down');
    this.#outcomes.set(backup.id, { done: backup.done, at: Date.now() });
    for (const [id, entry] of this.#outcomes) if (Date.now() - entry.at > OUTCOME_KEPT_MS) this.#outcomes.delete(id);
    void backup.done.then(() => {
      this.#current = undefined;
      this.#taken = false;
    });
  }

  outcome(id: string): Promise<BackupOutcome> | undefined {
    return this.#outcomes.get(id)?.done;
  }

  /** Refuses new backups and ends the one in flight (its status then says failed). */
  async close(): Promise<void> {
    this.#closing = true;
    this.#current?.abort('the donor is shutting down');
    await this.#current?.done;
  }
}

/** `GET /v1/backup/<id>/status`: only the donor knows whether its tool exited 0 (step 4 of the protocol). */
function addStatusRoute(app: FastifyInstance, authorize: (header: string | undefined, path: string) => AuthResult, slot: BackupSlot): void {
  app.get<{ Params: { id: string } }>(`${BACKUP_PATH}/:id/status`, async (request, reply) => {
    const auth = authorize(request.headers.authorization, statusPath(request.params.id));
    if (!auth.ok) return reply.code(401).header('www-authenticate', AUTH_SCHEME).send({ error: 'unauthorized' });
    const done = slot.outcome(request.params.id);
    if (done === undefined) return reply.code(404).send({ status: 'unknown', reason: 'no such backup', bytes: 0 } satisfies BackupStatus);
    const outcome = await done;
    return { status: outcome.ok ? 'ok' : 'failed', reason: outcome.reason, bytes: outcome.bytes } satisfies BackupStatus;
  });
}

/** A plain HTTP refusal on a connection that asked for an upgrade, then closed. */
function refuseUpgrade(socket: Socket, status: string, body: object, headers: Record<string, string> = {}): void {
  const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`).join('');
  const text = JSON.stringify(body);
  socket.end(`HTTP/1.1 ${status}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n${lines}\r\n${text}`);
}

/**
 * Switches the connection to the backup stream: 101 with the backup id and a
 * size estimate, wait for the recipient's GO, then give the socket to the tool.
 */
async function serveBackup(input: {
  options: DonorOptions;
  socket: Socket;
  recipient: string;
  log: FastifyBaseLogger;
}): Promise<RunningBackup & { id: string }> {
  const { options, socket, recipient, log } = input;
  const { metrics } = options;
  // An estimate for the recipient's progress bar.
  const estimate = await directorySize(options.dataDir, isOutsideBackup);
  const id = randomUUID();
  socket.write(
    `HTTP/1.1 101 Switching Protocols\r\nUpgrade: ${UPGRADE_PROTOCOL}\r\nConnection: Upgrade\r\n` +
      `${BACKUP_ID_HEADER}: ${id}\r\n${ESTIMATE_HEADER}: ${estimate}\r\n\r\n`,
  );
  await waitForGo(socket);
  socket.pause();
  const started = Date.now();
  let counted = 0;
  // Loaded on the first backup, not at start: execa is a third of the sidecar's start-up time.
  const { startBackup } = await import('./backup-process.js');
  const backup = await startBackup({
    ...options,
    output: socket,
    handOff: !(socket instanceof TLSSocket),
    onBytes: (total) => {
      metrics.servedBytes.inc(total - counted);
      counted = total;
    },
  });
  // With TLS node pipes the stream: a recipient that hangs up (a stopped init) would leave the tool blocked on a full pipe, not dead of EPIPE.
  socket.once('close', () => backup.abort('the recipient closed the connection'));
  metrics.serving.set(1);
  log.info({ recipient, pid: backup.pid, id }, 'streaming a backup');
  void backup.done.then((outcome) => {
    // Flush what node still holds (TLS), then close: our end is paused, so it would never see the peer's FIN.
    socket.end(() => socket.destroy());
    metrics.serving.set(0);
    metrics.served.inc({ result: outcome.result });
    const seconds = (Date.now() - started) / 1000;
    log[outcome.ok ? 'info' : 'warn']({ recipient, id, bytes: outcome.bytes, seconds, result: outcome.result, reason: outcome.reason }, 'backup stream ended');
  });
  return { ...backup, id };
}

/** The recipient's one-byte go-ahead: it has handed its end to the extractor. */
function waitForGo(socket: Socket): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no GO from the recipient')), GO_TIMEOUT_MS);
    socket.once('data', (chunk: Buffer) => {
      clearTimeout(timer);
      if (chunk.equals(GO)) resolve();
      else reject(new Error('the recipient sent something other than GO'));
    });
    socket.once('close', () => reject(new Error('the recipient closed the connection')));
  });
}
