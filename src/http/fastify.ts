import type { RequestListener } from 'node:http';
import { createServer as createHttpsServer } from 'node:https';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';
import { CONNECTION_LIMITS, TIMEOUTS, createLimitedHttpServer, limitConnections } from './limits.js';

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
  if (tls === undefined) {
    return Fastify({ ...common, serverFactory: (handler: RequestListener) => createLimitedHttpServer(handler) });
  }
  // The routes only use the request/reply API, which is the same over TLS;
  // the server type differs in fastify's generics alone.
  const options = { ...TIMEOUTS, handshakeTimeout: CONNECTION_LIMITS.FIRST_REQUEST_MS, ...tls, requestCert: true, rejectUnauthorized: true };
  return Fastify({ ...common, serverFactory: (handler: RequestListener) => limitConnections(createHttpsServer(options, handler), 'secureConnection') }) as unknown as FastifyInstance;
}
