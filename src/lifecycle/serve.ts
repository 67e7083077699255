import type { CloneInfo } from '../data-dir/clone-info.js';
import { readSidecarState } from '../data-dir/state-files.js';
import { exists } from '../data-dir/marker.js';
import { dataDirLayout, type DataDirLayout } from '../data-dir/layout.js';
import { inspectDataDir } from '../data-dir/state.js';
import { requireSecret, type Config } from '../config.js';
import type { Logger } from '../log.js';
import type { ServerAddress } from '../mysql/connection.js';
import type { Secret } from '../secret.js';
import { resolveServerVersionOrFail } from '../mysql/resolve-version.js';
import { retryUntil } from '../retry.js';
import { readServerState } from '../mysql/server-state.js';
import type { ServerVersion } from '../mysql/server-version.js';
import { writeIdentityConfig } from '../identity/write-config.js';
import { dialectFor } from '../mysql/dialect.js';
import { ClonePluginProvisioner } from '../clone/clone-plugin/provisioner.js';
import { recordPluginClone } from '../clone/clone-plugin/record.js';
import { setIdentity } from '../clone/auth.js';
import { CLONE_USER, clonePassword } from '../clone/clone-plugin/clone-user.js';
import { findDonors } from '../clone/find-donors.js';
import { cloneMethodOrFail, type CloneMethod } from '../clone/method.js';
import { DnsClient } from '../discovery/dns-client.js';
import type { UserSpec } from '../replication/primary.js';
import { ControlLoop } from '../replication/control-loop.js';
import { podFqdn } from '../identity/identity.js';
import { waitForShutdownSignal } from './shutdown.js';
import { setTimeout as delay } from 'node:timers/promises';
import { removeStalePrivateDirs } from '../fs/private-dir.js';

const CHECK_INTERVAL_MS = 1_000;
/** The longest the HTTP side waits for a pending clone's CLONE INSTANCE: probes and peers' /status must not wait for a slow donor survey. */
const LISTEN_HOLD_MS = 1_000;

/**
 * The sidecar: watches the local server, serves probes, status and metrics on
 * HTTP_PORT and backups to peers on CLONE_PORT, and shuts all of it down on
 * SIGTERM (the backup in flight is ended with a failed status).
 */
export async function runServe(config: Config, logger: Logger, version: string): Promise<void> {
  const { identity } = config;
  const rootPassword = requireSecret(config.secrets.rootPassword, 'MYSQL_ROOT_PASSWORD', 'the primary\'s sidecar creates the users with it');
  const replicationPassword = requireSecret(config.secrets.replicationPassword, 'REPLICATION_PASSWORD', 'replicas connect to the primary with it');
  const agentPassword = requireSecret(config.secrets.agentPassword, 'AGENT_PASSWORD', 'the sidecar connects to its server as AGENT_USER');
  const cloneSecret = requireSecret(config.secrets.cloneSecret, 'CLONE_SECRET', 'the sidecar authenticates clone requests with it');
  // A sidecar SIGKILLed mid-backup left its option file (the agent's password) in /tmp, an emptyDir that outlives the container.
  const stale = await removeStalePrivateDirs();
  if (stale.length > 0) logger.warn({ removed: stale }, 'removed private dirs a previous run left behind');
  // MYSQL_FLAVOR=auto reads the data dir, which the server image may still be initialising: give it the startup probe's minute.
  const serverVersion = await retryUntil(() => resolveServerVersionOrFail(config), { baseMs: 500, maxMs: 2_000, deadline: Date.now() + 60_000 });
  const method = cloneMethodOrFail(config, serverVersion);
  const startedAt = new Date();
  const layout = dataDirLayout(config.dataDir, config.stateDir);
  const mysql = { host: config.mysqlHost, port: config.ports.mysql, user: config.agentUser, password: agentPassword };
  const root = { ...mysql, user: 'root', password: rootPassword };
  const awaitingClone = (await inspectDataDir(layout)) === 'clone-pending';
  const provisioner = awaitingClone ? createProvisioner({ config, layout, root, cloneSecret, serverVersion, logger }) : undefined;
  const { cloneInfo, damaged } = await readSidecarState(layout);
  for (const file of damaged) logger.error({ file: file.file, problem: file.problem, fix: file.fix }, `damaged state file ${file.file}: ${file.fix}`);
  const loop = createControlLoop({ config, mysql, root, replicationPassword, cloneInfo, provisioner, cloneUser: cloneUserFor(method, cloneSecret, setIdentity(config.identity)) }, logger);
  provisioner?.surveyAhead();
  loop.start();
  // Loading fastify and prom-client takes the one thread a few hundred ms: CLONE INSTANCE goes first, for at most LISTEN_HOLD_MS.
  if (provisioner !== undefined) await Promise.race([provisioner.firstMove, delay(LISTEN_HOLD_MS)]);
  const { startListeners } = await import('./serve-http.js');
  const listeners = await startListeners({ config, logger, version, loop, startedAt, layout, damaged, method, flavor: serverVersion.flavor, mysql, cloneSecret });
  logger.info({ httpPort: config.ports.http, clonePort: listeners.clonePort, method, awaitingClone, role: identity.role }, 'serving');
  const signal = await waitForShutdownSignal();
  logger.info({ signal }, 'shutting down');
  await listeners.close();
  await loop.stop();
}

/** The loop's settings from the configuration: replicas follow mysql-0's stable name, which mysqld resolves itself on every reconnect. */
function createControlLoop(
  input: {
    config: Config;
    mysql: ServerAddress;
    root: ServerAddress;
    replicationPassword: Secret;
    cloneInfo: CloneInfo | undefined;
    provisioner: ClonePluginProvisioner | undefined;
    cloneUser: UserSpec | undefined;
  },
  logger: Logger,
): ControlLoop {
  const { config, mysql } = input;
  const { identity } = config;
  return new ControlLoop(
    {
      role: identity.role,
      local: mysql,
      root: input.root,
      provisioner: input.provisioner,
      cloneUser: input.cloneUser,
      source: {
        host: podFqdn(identity, `${identity.setName}-0`),
        port: config.ports.mysql,
        user: config.replicationUser,
        password: input.replicationPassword,
        connectRetrySeconds: 1,
      },
      primaryServerId: identity.serverId - identity.ordinal,
      identity: { serverId: identity.serverId, confDir: config.confDir },
      cloneInfo: input.cloneInfo,
      intervalMs: CHECK_INTERVAL_MS,
      maxLagSeconds: config.readiness.maxLagSeconds,
      readyChecks: config.readiness.checks,
    },
    logger,
  );
}

/** The CLONE plugin's donor-side user, which the primary ensures, when the set clones with it. */
function cloneUserFor(method: CloneMethod, cloneSecret: Secret, set: string): UserSpec | undefined {
  return method === 'clone-plugin' ? { user: CLONE_USER, password: clonePassword(cloneSecret, set) } : undefined;
}

/** The recipient side of a CLONE-plugin clone, for a pod whose init left the request (ARCHITECTURE.md, "The CLONE-plugin clone"). */
function createProvisioner(input: {
  config: Config;
  layout: DataDirLayout;
  root: ServerAddress;
  cloneSecret: Secret;
  serverVersion: ServerVersion;
  logger: Logger;
}): ClonePluginProvisioner {
  const { config, layout } = input;
  const client = new DnsClient(config.dns);
  return new ClonePluginProvisioner({
    root: input.root,
    cloneUser: { user: CLONE_USER, password: clonePassword(input.cloneSecret, setIdentity(config.identity)) },
    mysqlPort: config.ports.mysql,
    // A pod whose data was lost behind its marker never starts empty (the `lost` record, written by init).
    findDonors: async () => findDonors({ config, client, cloneSecret: input.cloneSecret, heldData: await exists(layout.lost) }),
    afterClone: async (connection) => {
      // A clone of a replica carries its replication channel; the primary replicates from nobody.
      if (config.identity.role === 'primary') await connection.query(dialectFor((await readServerState(connection)).version).resetReplicaAll);
    },
    record: async (status, progress) => {
      // The server restarted in this pod with the waiting-for-a-clone config; its next start must get the role's own.
      await writeIdentityConfig(config, input.serverVersion, { clonePlugin: true, awaitingClone: false }, input.logger);
      return recordPluginClone(layout, status, progress);
    },
    logger: input.logger,
  });
}
