import type { IncomingMessage, RequestListener, Server } from 'node:http';
import type { Server as HttpsServer } from 'node:https';
import type { Socket } from 'node:net';
import { nodeHttp } from '../node-http.js';

/**
 * Limits on connections, so that clients that connect and say nothing (or
 * trickle a request) cannot hold the process's file descriptors (1,024 in the
 * image) and starve the kubelet's probes. A connection that sends no request
 * within FIRST_REQUEST_MS is closed; a request's headers must arrive within
 * HEADERS_MS and the whole request within REQUEST_MS (checked every
 * CHECK_EVERY_MS); at most MAX_CONNECTIONS are open. Keep-alive between
 * requests keeps its own timeout (72 s, fastify's default), so Prometheus keeps
 * its connection from scrape to scrape, and a response that streams for
 * minutes (a backup to a peer) has no idle limit of ours. A module of its own
 * (node:http only): init's status server applies the same limits without
 * loading fastify.
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

/** The node:http server options that carry the limits. */
export const TIMEOUTS = {
  headersTimeout: CONNECTION_LIMITS.HEADERS_MS,
  requestTimeout: CONNECTION_LIMITS.REQUEST_MS,
  connectionsCheckingInterval: CONNECTION_LIMITS.CHECK_EVERY_MS,
};

/**
 * `connected` is the event that hands over the socket the HTTP layer reads:
 * 'connection' for plain TCP, 'secureConnection' after a TLS handshake (whose
 * own deadline is the handshake timeout).
 */
export function limitConnections<T extends Server | HttpsServer>(server: T, connected: 'connection' | 'secureConnection'): T {
  server.maxConnections = CONNECTION_LIMITS.MAX_CONNECTIONS;
  server.keepAliveTimeout = CONNECTION_LIMITS.KEEP_ALIVE_MS;
  // Node closes a socket whose timeout fires when nobody listens for the request's 'timeout'.
  server.on(connected, (socket: Socket) => socket.setTimeout(CONNECTION_LIMITS.FIRST_REQUEST_MS));
  server.on('request', (request: IncomingMessage) => request.socket.setTimeout(0));
  return server;
}

/** A plain HTTP server with the limits. */
export function createLimitedHttpServer(handler: RequestListener): Server {
  return limitConnections(nodeHttp.createServer(TIMEOUTS, handler), 'connection');
}
