import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../log.js';

/**
 * A fastify instance on our logger. Kubelet probes every few seconds and
 * Prometheus scrapes: logging each request is noise, so request logging is off
 * and routes log what matters themselves.
 */
export function createFastify(logger: Logger): FastifyInstance {
  return Fastify({
    loggerInstance: logger as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    return503OnClosing: true,
  });
}
