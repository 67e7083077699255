import { createServer as createHttpServer, type IncomingMessage, type RequestListener, type Server } from 'node:http';
import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';

/** PEM material for a server that requires client certificates from the same CA (mutual TLS). */
export interface MutualTls {
  readonly cert: Buffer;
  readonly key: Buffer;
  readonly ca: Buffer;
}

/**
 * Limits on connections, so that clients that connect and say nothing (or
 * trickle a request) cannot hold the process's file descriptors (1,024 in the
 * image) and starve the kubelet's probes. A connection that sends no request
 * within FIRST_REQUEST_MS is closed; a request's headers must arrive within
 * HEADERS_MS and the whole request within REQUEST_MS (checked every
 * CHECK_EVERY_MS); at most MAX_CONNECTIONS are open. Keep-alive between
 * requests keeps its own timeout (72 s, fastify's default), so Prometheus keeps
 * its connection from scrape to scrape, and a response that streams for
 * minutes (a backup to a peer) has no idle limit of ours.
 */
export const CONNECTION_LIMITS = {
  FIRST_REQUEST_MS: 5_000,
  HEADERS_MS: 5_000,
  REQUEST_MS: 10_000,
  CHECK_EVERY_MS: 1_000,
  MAX_CONNECTIONS: 256,
  /** fastify's own default, which it applies only to servers it makes itself. */
  KEEP_ALIVE_MS: 72_000,
} as const;

/**
 * `connected` is the event that hands over the socket the HTTP layer reads:
 * 'connection' for plain TCP, 'secureConnection' after a TLS handshake (whose
 * own deadline is the handshake timeout).
 */
function limitConnections<T extends Server | HttpsServer>(server: T, connected: 'connection' | 'secureConnection'): T {
  server.maxConnections = CONNECTION_LIMITS.MAX_CONNECTIONS;
  server.keepAliveTimeout = CONNECTION_LIMITS.KEEP_ALIVE_MS;
  // Node closes a socket whose timeout fires when nobody listens for the request's 'timeout'.
  server.on(connected, (socket: Socket) => socket.setTimeout(CONNECTION_LIMITS.FIRST_REQUEST_MS));
  server.on('request', (request: IncomingMessage) => request.socket.setTimeout(0));
  return server;
}

const TIMEOUTS = {
  headersTimeout: CONNECTION_LIMITS.HEADERS_MS,
  requestTimeout: CONNECTION_LIMITS.REQUEST_MS,
  connectionsCheckingInterval: CONNECTION_LIMITS.CHECK_EVERY_MS,
};

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
    return Fastify({ ...common, serverFactory: (handler: RequestListener) => limitConnections(createHttpServer(TIMEOUTS, handler), 'connection') });
  }
  // The routes only use the request/reply API, which is the same over TLS;
  // the server type differs in fastify's generics alone.
  const options = { ...TIMEOUTS, handshakeTimeout: CONNECTION_LIMITS.FIRST_REQUEST_MS, ...tls, requestCert: true, rejectUnauthorized: true };
  return Fastify({ ...common, serverFactory: (handler: RequestListener) => limitConnections(createHttpsServer(options, handler), 'secureConnection') }) as unknown as FastifyInstance;
}
