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
 * No route of the agent declares a JSON schema, so fastify's default schema
 * compilers (ajv and fast-json-stringify, which fastify loads when an instance
 * is created: ~600 kB of source, ~1 MiB of the sidecar's idle RSS, README
 * "Idle RSS in the image") would never compile anything. These stand-ins keep
 * them unloaded, and make a route that declares a schema fail at registration
 * with a line saying why, instead of silently going unvalidated.
 */
function noSchemas(what: string): never {
  throw new Error(`the agent's HTTP server has no ${what} compiler: its routes declare no JSON schema (src/http/fastify.ts)`);
}
const NO_SCHEMA_COMPILERS = {
  buildValidator: () => noSchemas('validator'),
  buildSerializer: () => noSchemas('serializer'),
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
    schemaController: { compilersFactory: NO_SCHEMA_COMPILERS },
  };
  if (tls === undefined) {
    return Fastify({ ...common, serverFactory: (handler: RequestListener) => createLimitedHttpServer(handler) });
  }
  // The routes only use the request/reply API, which is the same over TLS;
  // the server type differs in fastify's generics alone.
  const options = { ...TIMEOUTS, handshakeTimeout: CONNECTION_LIMITS.FIRST_REQUEST_MS, ...tls, requestCert: true, rejectUnauthorized: true };
  return Fastify({ ...common, serverFactory: (handler: RequestListener) => limitConnections(createHttpsServer(options, handler), 'secureConnection') }) as unknown as FastifyInstance;
}
