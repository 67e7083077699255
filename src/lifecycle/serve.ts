import type { Config } from '../config.js';
import { AgentError } from '../errors.js';
import { buildHttpApp } from '../http/app.js';
import { createMetricsRegistry } from '../http/metrics.js';
import type { Logger } from '../log.js';
import { waitForShutdownSignal } from './shutdown.js';

/**
 * The sidecar. Today: the HTTP surface (health, status, metrics) and a clean
 * shutdown on SIGTERM; replication, heartbeat and the clone donor plug in here.
 */
export async function runServe(config: Config, logger: Logger, version: string): Promise<void> {
  const { identity } = config;
  const startedAt = new Date();
  const registry = createMetricsRegistry({ identity, version });
  const app = buildHttpApp({
    logger,
    registry,
    health: () => ({ ok: true, reasons: [] }),
    status: () => ({
      pod: identity.podName,
      role: identity.role,
      serverId: identity.serverId,
      reportHost: identity.fqdn,
      podIp: config.podIp ?? null,
      agentVersion: version,
      startedAt: startedAt.toISOString(),
    }),
  });
  try {
    await app.listen({ host: config.httpHost, port: config.ports.http });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new AgentError('server', `failed to listen on ${config.httpHost}:${config.ports.http} (${code}): is HTTP_PORT taken?`, {
      cause: error,
    });
  }
  logger.info({ port: config.ports.http, role: identity.role }, 'serving health, status and metrics');
  const signal = await waitForShutdownSignal();
  logger.info({ signal }, 'shutting down');
  await app.close();
}
