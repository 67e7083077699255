import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';

/** PEM material for a server that requires client certificates from the same CA (mutual TLS). */
export interface MutualTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

/**
 * A fastify instance on our logger. Kubelet probes every few seconds and
 * Prometheus scrapes: logging each request is noise, so request logging is off
 * and routes log what matters themselves.
 */
export function createFastify(logger: Logger, tls?: MutualTls): FastifyInstance {
  const common = {
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  };
  if (tls === undefined) return Fastify(common);
  // The routes only use the request/reply API, which is the same over TLS;
  // the server type differs in fastify's generics alone.
  return Fastify({ ...common, https: { ...tls, requestCert: true, rejectUnauthorized: true } }) as unknown as FastifyInstance;
}
