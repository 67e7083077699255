import { buildDonorApp } from '../clone/donor.js';
import { createDonorMetrics } from '../clone/donor-metrics.js';
import { registerCloneMetrics } from '../clone/clone-metrics.js';
import { dataDirLayout, inspectDataDir, readCloneInfo } from '../clone/data-dir.js';
import { loadCloneTls } from '../clone/tls.js';
import { requireSecret, type Config } from '../config.js';
import { AgentError } from '../errors.js';
import { buildHttpApp } from '../http/app.js';
import { createMetricsRegistry } from '../http/metrics.js';
import type { StatusDocument } from '../http/status-document.js';
import type { Logger } from '../log.js';
import { resolveServerVersionOrFail } from '../mysql/resolve-version.js';
import { ServerWatch } from './server-watch.js';
import { waitForShutdownSignal } from './shutdown.js';

const CHECK_INTERVAL_MS = 1_000;
/** The loop is dead when it has not completed a check for this long. */
const STALE_AFTER_MS = 10_000;

/**
 * The sidecar: watches the local server, serves probes, status and metrics on
 * HTTP_PORT and backups to peers on CLONE_PORT, and shuts all of it down on
 * SIGTERM (the backup in flight is ended with a failed status).
 */
export async function runServe(config: Config, logger: Logger, version: string): Promise<void> {
  const { identity } = config;
  const rootPassword = requireSecret(config.secrets.rootPassword, 'MYSQL_ROOT_PASSWORD', 'the sidecar connects to its server with it');
  const cloneSecret = requireSecret(config.secrets.cloneSecret, 'CLONE_SECRET', 'the sidecar authenticates clone requests with it');
  const serverVersion = await resolveServerVersionOrFail(config);
  const startedAt = new Date();
  const layout = dataDirLayout(config.dataDir);
  const registry = createMetricsRegistry({ identity, version });
  const cloneInfo = await readCloneInfo(layout);
  registerCloneMetrics(registry, cloneInfo);
  const mysql = { host: config.mysqlHost, port: config.ports.mysql, user: 'root', password: rootPassword };
  const watch = new ServerWatch({ address: mysql, logger, intervalMs: CHECK_INTERVAL_MS });
  watch.start();

  const status = async (): Promise<StatusDocument> => {
    const { up, state, error, checkedAt } = watch.snapshot;
    return {
      pod: identity.podName,
      role: identity.role,
      serverId: identity.serverId,
      reportHost: identity.fqdn,
      podIp: config.podIp ?? null,
      agentVersion: version,
      startedAt: startedAt.toISOString(),
      ready: up,
      reasons: up ? [] : [`the server does not answer: ${error ?? 'not checked yet'}`],
      dataDir: await inspectDataDir(layout),
      server: {
        up,
        version: state?.versionText ?? null,
        flavor: state?.version.flavor ?? null,
        readOnly: state?.readOnly ?? null,
        gtidPosition: state?.gtidPosition ?? null,
        error: error ?? null,
        checkedAt: checkedAt?.toISOString() ?? null,
      },
      clone: cloneInfo ?? null,
    };
  };
  const app = buildHttpApp({
    logger,
    registry,
    health: () => {
      const checkedAt = watch.snapshot.checkedAt?.getTime() ?? startedAt.getTime();
      const alive = Date.now() - checkedAt < STALE_AFTER_MS;
      return { ok: alive, reasons: alive ? [] : [`the agent's loop has not run for ${STALE_AFTER_MS / 1000} s`] };
    },
    status,
  });
  const donor = buildDonorApp({
    logger,
    metrics: createDonorMetrics(registry),
    cloneSecret,
    flavor: serverVersion.flavor,
    dataDir: config.dataDir,
    mysql,
    parallel: config.cloneParallel,
    tls: await loadCloneTls(config.cloneTls),
  });
  await listen(app, config.httpHost, config.ports.http, 'HTTP_PORT');
  await listen(donor.app, config.httpHost, config.ports.clone, 'CLONE_PORT');
  logger.info({ httpPort: config.ports.http, clonePort: config.ports.clone, cloneTls: config.cloneTls !== undefined, role: identity.role }, 'serving');
  const signal = await waitForShutdownSignal();
  logger.info({ signal }, 'shutting down');
  await donor.shutdown();
  await app.close();
  await watch.stop();
}

async function listen(app: { listen: (options: { host: string; port: number }) => Promise<string> }, host: string, port: number, setting: string): Promise<void> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new AgentError('server', `failed to listen on ${host}:${port} (${code}): is ${setting} taken?`, { cause: error });
  }
}
