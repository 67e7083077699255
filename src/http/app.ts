import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import type { ProbeResult } from '../health/liveness.js';
import type { Logger } from '../log.js';
import { CHALLENGE_HEADER, challengeOf, PROOF_HEADER } from '../clone/status-proof.js';
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
  /** Signs a /status body for a peer's challenge (ARCHITECTURE.md, "Peers prove who they are"); unset, answers carry no proof. */
  readonly proveStatus?: (challenge: string, body: string) => string;
  /** What the metrics are rendered from (the loop's state, replaced at every check): a new one is rendered anew. */
  readonly metricsSource?: () => unknown;
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

  // A rendering of the same loop state, younger than a second, is as fresh as a new one; reusing it keeps a
  // burst of scrapes from starving the loop (rendering costs about 1 ms of CPU). A new check's state is
  // rendered at once: /metrics must never say Ready after /readyz said otherwise.
  let rendered: { at: number; source: unknown; body: Promise<string> } | undefined;
  app.get('/metrics', async (_request, reply) => {
    const now = Date.now();
    const source = options.metricsSource?.();
    if (rendered === undefined || now - rendered.at >= METRICS_REUSE_MS || source !== rendered.source) {
      rendered = { at: now, source, body: options.registry.metrics() };
    }
    return reply.type(options.registry.contentType).send(await rendered.body);
  });

  app.get('/status', async (request, reply) => {
    const document = await options.status();
    const challenge = challengeOf(request.headers[CHALLENGE_HEADER]);
    if (challenge === undefined || options.proveStatus === undefined) return document;
    // Signed over the exact bytes sent, so the body is serialised here rather than by fastify.
    const body = JSON.stringify(document);
    return reply.type('application/json; charset=utf-8').header(PROOF_HEADER, options.proveStatus(challenge, body)).send(body);
  });

  return app;
}
