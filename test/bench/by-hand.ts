import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { deriveIdentity } from '../../src/identity/identity.js';
import { parsePodName } from '../../src/identity/pod-name.js';
import { renderServerConfig, SERVER_CONFIG_FILE, type ServerConfigOptions } from '../../src/identity/server-config.js';
import { dialectFor } from '../../src/mysql/dialect.js';
import { parseReplicaStatus } from '../../src/mysql/replica-status.js';
import { parseServerVersion, type ServerVersion } from '../../src/mysql/server-version.js';
import { Secret } from '../../src/secret.js';
import { credentialValue } from '../cluster/agent.js';
import { waitFor, type Cluster, type Pod } from '../cluster/index.js';

/**
 * What the by-hand baselines of both servers do besides copying the data:
 * the server options (rendered by the agent's own code, written directly) and
 * replication pointed at mysql-0 and polled until caught up, with nothing in
 * between: no sidecar, no heartbeat, no readiness checks.
 */

export async function serverVersionOf(pod: Pod): Promise<ServerVersion> {
  const [row] = await pod.query<{ version: string }>('SELECT VERSION() AS version');
  return parseServerVersion(String(row?.version));
}

/** The recipient's identity config, as init would write it for a server of the donor's version. */
export async function writeServerConfig(donor: Pod, recipient: Pod, options: ServerConfigOptions): Promise<void> {
  const version = await serverVersionOf(donor);
  const env = recipient.agentEnv();
  const identity = deriveIdentity({
    pod: parsePodName(recipient.name),
    names: { serviceName: String(env.SERVICE_NAME), namespace: String(env.POD_NAMESPACE), clusterDomain: String(env.CLUSTER_DOMAIN) },
    serverIdOffset: 100,
  });
  await writeFile(join(recipient.paths.confD, SERVER_CONFIG_FILE), renderServerConfig(identity, version, options));
}

/**
 * The agent's own replication statements, typed once: (MariaDB) the backup's
 * GTID position, CHANGE MASTER / (MySQL) CHANGE REPLICATION SOURCE …
 * SOURCE_AUTO_POSITION=1, START REPLICA; then SHOW REPLICA STATUS until both
 * threads run with Seconds_Behind 0.
 */
export async function replicateByHand(input: {
  cluster: Cluster;
  donor: Pod;
  recipient: Pod;
  /** MariaDB: the backup's gtid_slave_pos; MySQL: none (the clone's gtid_executed is already there). */
  gtidStart: string | undefined;
}): Promise<void> {
  const { cluster, donor, recipient, gtidStart } = input;
  const password = new Secret(credentialValue(cluster, 'replication-password').trim(), 'REPLICATION_PASSWORD');
  const conn = await recipient.connect();
  try {
    const [versionRows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS version');
    const dialect = dialectFor(parseServerVersion(String(versionRows[0]?.version)));
    if (gtidStart !== undefined) {
      const setStart = dialect.setGtidStart(gtidStart);
      await conn.query(setStart.sql, [...setStart.params]);
    }
    const change = dialect.changeSource({ host: `${donor.name}.${cluster.names.opts.service}`, port: 3306, user: 'repl', password, connectRetrySeconds: 1 });
    await conn.query(change.sql, [...change.params]);
    await conn.query(dialect.startReplica);
    await waitFor(
      async () => {
        const [rows] = await conn.query<RowDataPacket[]>(dialect.replicaStatus);
        const status = parseReplicaStatus(rows[0], dialect.version.flavor);
        if (status !== undefined && (status.lastIoErrno !== 0 || status.lastSqlErrno !== 0)) {
          throw new Error(`replication in ${recipient.name} failed: ${status.lastIoError || status.lastSqlError}`);
        }
        return status?.ioRunning === true && status.sqlRunning && status.secondsBehind === 0 ? true : undefined;
      },
      { what: `replication in ${recipient.name} to run and catch up`, timeoutMs: 60_000, intervalMs: 50 },
    );
  } finally {
    await conn.end().catch(() => undefined);
  }
}
