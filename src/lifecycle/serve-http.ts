import { buildDonorApp } from '../clone/donor/server.js';
import { setIdentity } from '../clone/auth.js';
import { statusProver } from '../clone/status-proof.js';
import { createDonorMetrics } from '../clone/donor/metrics.js';
import { loadCloneTls } from '../clone/tls.js';
import type { CloneMethod } from '../clone/method.js';
import type { Config } from '../config.js';
import { inspectDataDir } from '../data-dir/state.js';
import type { DataDirLayout } from '../data-dir/layout.js';
import { AgentError, systemErrorCode } from '../errors.js';
import { agentLiveness, podHealth, type LoopProgress } from '../health/liveness.js';
import { buildHttpApp } from '../http/app.js';
import { registerCloneMetrics } from '../http/clone-info-metrics.js';
import { registerLoopMetrics } from '../http/loop-metrics.js';
import { registerStateFileMetric } from '../http/state-file-metrics.js';
import type { DamagedFile } from '../data-dir/state-file.js';
import { createMetricsRegistry } from '../http/metrics.js';
import type { Logger } from '../log.js';
import type { ServerAddress } from '../mysql/connection.js';
import type { Flavor } from '../mysql/server-version.js';
import type { ControlLoop } from '../replication/control-loop.js';
import type { Secret } from '../secret.js';
import { buildStatus } from './status.js';

/**
 * The sidecar's listeners: probes, status and metrics on HTTP_PORT, and
 * backups to peers on CLONE_PORT. A module of its own because fastify and
 * prom-client take a few hundred ms to load, which serve.ts spends only after
 * the loop started (ARCHITECTURE.md, "The CLONE-plugin clone").
 */
export async function startListeners(input: {
  config: Config;
  logger: Logger;
  version: string;
  loop: ControlLoop;
  startedAt: Date;
  layout: DataDirLayout;
  /** The agent's files found damaged when the sidecar started (reported in /status, the metric and the log). */
  damaged: readonly DamagedFile[];
  method: CloneMethod;
  flavor: Flavor;
  mysql: ServerAddress;
  cloneSecret: Secret;
}): Promise<{ clonePort: number | null; close: () => Promise<void> }> {
  const { config, logger, loop, startedAt } = input;
  const { identity } = config;
  const registry = createMetricsRegistry({ identity, version: input.version });
  registerCloneMetrics(registry, () => loop.state);
  registerLoopMetrics(registry, () => loop.state, identity.role);
  registerStateFileMetric(registry, input.damaged);
  const app = buildHttpApp({
    logger,
    registry,
    alive: () => agentLiveness(loopProgress(loop, startedAt), new Date()),
    health: () => podHealth(loopProgress(loop, startedAt), new Date()),
    readiness: () => ({ ok: loop.state.verdict.ready, reasons: loop.state.verdict.reasons }),
    status: async () => buildStatus({ config, version: input.version, startedAt, state: loop.state, dataDir: await inspectDataDir(input.layout), damaged: input.damaged }),
    metricsSource: () => loop.state,
    proveStatus: statusProver(identity, input.cloneSecret),
  });
  // With the CLONE plugin the donor is the server itself (port 3306): the agent streams nothing.
  const donor =
    input.method === 'backup-stream'
      ? buildDonorApp({
          logger,
          metrics: createDonorMetrics(registry),
          cloneSecret: input.cloneSecret,
          set: setIdentity(identity),
          flavor: input.flavor,
          dataDir: config.dataDir,
          mysql: input.mysql,
          parallel: config.cloneParallel,
          tls: await loadCloneTls(config.cloneTls),
        })
      : undefined;
  await listen(app, config.httpHost, config.ports.http, 'HTTP_PORT');
  if (donor !== undefined) await listen(donor.app, config.httpHost, config.ports.clone, 'CLONE_PORT');
  return {
    clonePort: donor === undefined ? null : config.ports.clone,
    close: async () => {
      await donor?.shutdown();
      await app.close();
    },
  };
}

function loopProgress(loop: ControlLoop, startedAt: Date): LoopProgress {
  const { checkedAt, observation } = loop.state;
  return { checkedAt, startedAt, serverUp: observation.serverUp, serverError: observation.serverError };
}

async function listen(app: { listen: (options: { host: string; port: number }) => Promise<string> }, host: string, port: number, setting: string): Promise<void> {
  try {
    await app.listen({ host, port });
  } catch (error) {
    const code = systemErrorCode(error);
    throw new AgentError('server', `failed to listen on ${host}:${port} (${code}): is ${setting} taken?`, { cause: error });
  }
}
