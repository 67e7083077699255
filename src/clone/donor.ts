import type { FastifyBaseLogger, FastifyInstance, FastifyReply } from 'fastify';
import { createFastify, type MutualTls } from '../http/fastify.js';
import { directorySize } from '../fs/directory-size.js';
import type { Logger } from '../log.js';
import type { Flavor } from '../mysql/server-version.js';
import type { Secret } from '../secret.js';
import { AUTH_SCHEME, NonceCache, verifyRequest } from './auth.js';
import { startBackup, type RunningBackup } from './backup-process.js';
import { AGENT_DIR } from './data-dir.js';
import type { DonorMetrics } from './donor-metrics.js';

export const BACKUP_PATH = '/v1/backup';
/** The trailer that says whether the stream is a complete backup. */
export const STATUS_TRAILER = 'x-backup-status';
export const ESTIMATE_HEADER = 'x-backup-estimated-bytes';
const RETRY_AFTER_SECONDS = 30;

export interface DonorOptions {
  readonly logger: Logger;
  readonly metrics: DonorMetrics;
  readonly cloneSecret: Secret;
  readonly flavor: Flavor;
  readonly dataDir: string;
  readonly mysql: { host: string; port: number; user: string; password: Secret };
  readonly parallel: number;
  /** Mutual TLS on the donor port; without it the HMAC still authenticates every request. */
  readonly tls?: MutualTls;
}

export interface Donor {
  readonly app: FastifyInstance;
  /** Refuses new backups and ends the one in flight (its stream then ends with a failed status). */
  shutdown(): Promise<void>;
}

/**
 * The clone donor on its own port: `GET /v1/backup` streams the backup tool's
 * xbstream to an authenticated peer, one at a time. The stream is chunked and
 * its trailer says `ok` only when the tool exited 0, so a tool that fails half
 * way can never look like a complete backup; a connection that drops has no
 * trailer at all.
 */
export function buildDonorApp(options: DonorOptions): Donor {
  const app = createFastify(options.logger, options.tls);
  const nonces = new NonceCache();
  const { metrics } = options;
  let current: RunningBackup | undefined;
  /** Taken before the first await of a request, so two requests arriving together cannot both start a backup. */
  let slotTaken = false;
  let closing = false;

  app.get(BACKUP_PATH, async (request, reply) => {
    const auth = verifyRequest({
      header: request.headers.authorization,
      method: 'GET',
      path: BACKUP_PATH,
      secret: options.cloneSecret.reveal(),
      nonces,
    });
    if (!auth.ok) {
      metrics.rejected.inc({ reason: 'unauthorized' });
      request.log.warn({ remote: request.ip, reason: auth.reason }, 'refused a clone request');
      return reply.code(401).header('www-authenticate', AUTH_SCHEME).send({ error: 'unauthorized' });
    }
    if (closing || slotTaken) {
      metrics.rejected.inc({ reason: closing ? 'shutting_down' : 'busy' });
      const error = closing ? 'shutting down' : 'a backup is already being streamed; one at a time';
      return reply.code(closing ? 503 : 429).header('retry-after', String(RETRY_AFTER_SECONDS)).send({ error });
    }
    slotTaken = true;
    try {
      current = await startStream({ options, reply, recipient: auth.pod, log: request.log });
    } catch (error) {
      slotTaken = false;
      throw error;
    }
    void current.done.then(() => {
      current = undefined;
      slotTaken = false;
    });
    return reply.send(current.stream);
  });

  return {
    app,
    async shutdown() {
      closing = true;
      current?.abort('the donor is shutting down');
      await current?.done;
      await app.close();
    },
  };
}

/**
 * Starts the backup tool for one recipient and wires its stream to the reply:
 * byte counts and metrics, the end-of-stream trailer, and killing the tool when
 * the recipient goes away.
 */
async function startStream(input: {
  options: DonorOptions;
  reply: FastifyReply;
  recipient: string;
  log: FastifyBaseLogger;
}): Promise<RunningBackup> {
  const { options, reply, recipient, log } = input;
  const { metrics } = options;
  // An estimate for the recipient's progress bar: binlogs and relay logs are not part of a backup.
  const estimate = await directorySize(options.dataDir, (name) => name === AGENT_DIR || /^(mysql|relay)-bin\./.test(name));
  const backup = await startBackup(options);
  const started = Date.now();
  let bytes = 0;
  metrics.serving.set(1);
  log.info({ recipient, pid: backup.pid }, 'streaming a backup');
  backup.stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
    metrics.servedBytes.inc(chunk.length);
  });
  reply.raw.on('close', () => {
    if (!reply.raw.writableFinished) backup.abort(`${recipient} disconnected`);
  });
  void backup.done.then((outcome) => {
    metrics.serving.set(0);
    const result = outcome.ok ? 'ok' : outcome.reason.startsWith('aborted') ? 'aborted' : 'failed';
    metrics.served.inc({ result });
    const seconds = (Date.now() - started) / 1000;
    log[outcome.ok ? 'info' : 'warn']({ recipient, bytes, seconds, result, reason: outcome.reason }, 'backup stream ended');
  });
  reply.header('content-type', 'application/octet-stream').header(ESTIMATE_HEADER, String(estimate));
  reply.trailer(STATUS_TRAILER, async () => {
    const outcome = await backup.done;
    // A header value must be printable ASCII on one line.
    return outcome.ok ? 'ok' : `failed: ${outcome.reason}`.replace(/[^\x20-\x7e]/g, '?');
  });
  return backup;
}
