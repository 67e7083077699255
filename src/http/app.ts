import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ProbeResult } from '../health/liveness.js';
import type { Logger } from '../log.js';
import { createFastify } from './fastify.js';

const METRICS_REUSE_MS = 1_000;

export interface HttpAppOptions {
  readonly logger: Logger;
  readonly registry: Registry;
  /** The agent's own liveness (`/livez`): restarting the sidecar fixes only a stuck agent. */
  readonly alive: () => ProbeResult;
  /** The agent alive and mysqld answering (`/healthz`), read from state the agent keeps: a probe never runs SQL. */
  readonly health: () => ProbeResult;
  /** Readiness, from the same state. */
  readonly readiness: () => ProbeResult;
  /** The pod's state for humans and scripts (`mysql-sts-agent status`). */
  readonly status: () => unknown;
}

/**
 * The HTTP surface on the probe port. A factory that never listens by itself,
 * so tests use `inject` and the caller owns the port and the shutdown.
 */
export function buildHttpApp(options: HttpAppOptions): FastifyInstance {
  const app = createFastify(options.logger);

  const probes: Record<string, () => ProbeResult> = { '/livez': options.alive, '/healthz': options.health, '/readyz': options.readiness };
  for (const [path, probe] of Object.entries(probes)) {
    app.get(path, async (_request, reply) => {
      const result = probe();
      return reply.code(result.ok ? 200 : 503).send(result);
    });
  }

  // The loop refreshes its state once a second, so a rendering younger than that is as fresh as a new one;
  // reusing it keeps a burst of scrapes from starving the loop (rendering costs about 1 ms of CPU).
  let rendered: { at: number; body: Promise<string> } | undefined;
  app.get('/metrics', async (_request, reply) => {
    const now = Date.now();
    if (rendered === undefined || now - rendered.at >= METRICS_REUSE_MS) {
      rendered = { at: now, body: options.registry.metrics() };
    }
    return reply.type(options.registry.contentType).send(await rendered.body);
  });

  app.get('/status', async () => options.status());

  return app;
}
