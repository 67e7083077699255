import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { RowDataPacket } from 'mysql2/promise';
import { BINLOG_INFO_FILES, parseBinlogInfo } from '../../src/data-dir/coordinates.js';
import { deriveIdentity } from '../../src/identity/identity.js';
import { parsePodName } from '../../src/identity/pod-name.js';
import { renderServerConfig, SERVER_CONFIG_FILE } from '../../src/identity/server-config.js';
import { dialectFor } from '../../src/mysql/dialect.js';
import { parseReplicaStatus } from '../../src/mysql/replica-status.js';
import { parseServerVersion } from '../../src/mysql/server-version.js';
import { Secret } from '../../src/secret.js';
import { credentialValue, runInitContainer, startSidecar, waitForReady, waitForSidecar } from '../cluster/agent.js';
import { waitFor, type Cluster, type Pod } from '../cluster/index.js';
import { parseLog } from './agent-log.js';
import { elapsedSince } from './clock.js';
import { freshDirs } from './method.js';
import { runInPod } from './shell.js';
import { PARALLEL, type Tools } from './tools.js';

/** Seconds of each step from an empty volume to a replica that is Ready, in the order they run. */
export interface ReadyTiming {
  /** Until the data dir is prepared and configured (agent: `init` from spawn to exit 0). */
  readonly cloneSeconds: number;
  /** mariadbd from spawn to answering SQL (the harness's server container, the same for both paths). */
  readonly serverSeconds: number;
  /** Until Ready (agent: sidecar spawn to /readyz 200; by hand: replication configured, running and caught up). */
  readonly replicationSeconds: number;
  /** Agent only: sidecar spawn to its first /healthz 200 (HTTP up). */
  readonly healthzSeconds?: number;
  /**
   * Agent only: sidecar spawn to its "pointing replication at the primary" log
   * line (wall clock, ms grain); from there to Ready is replication catching up
   * and the readiness hysteresis (READY_CHECKS checks a second apart).
   */
  readonly pointedSeconds?: number;
}

/** A way from an empty mysql-1 (recreated, volume wiped) to a Ready replica of mysql-0. */
export interface ReadyPath {
  readonly key: 'agent' | 'by hand';
  readonly label: string;
  run(recipient: Pod): Promise<ReadyTiming>;
}

/** The agent as the StatefulSet runs it: init container, then the server, then the sidecar until /readyz says 200. */
export function agentReadyPath(cluster: Cluster): ReadyPath {
  return {
    key: 'agent',
    label: 'agent: init, mariadbd, sidecar until /readyz 200',
    async run(recipient) {
      const started = process.hrtime.bigint();
      const init = await runInitContainer(cluster, recipient, { CLONE_PARALLEL: String(PARALLEL) });
      if (init.exitCode !== 0) throw new Error(`mysql-sts-agent init in ${recipient.name} exited ${init.exitCode}: ${init.stderr.trim().slice(-2000)}`);
      const cloneSeconds = elapsedSince(started);
      await recipient.startServer();
      const serverSeconds = elapsedSince(started) - cloneSeconds;
      const sidecarStarted = process.hrtime.bigint();
      const spawnedAtMs = Date.now();
      const sidecar = startSidecar(cluster, recipient);
      await waitForSidecar(recipient);
      const healthzSeconds = elapsedSince(sidecarStarted);
      await waitForReady(recipient);
      const replicationSeconds = elapsedSince(sidecarStarted);
      const pointed = await logLineSeconds(sidecar.record.logFile, POINTED, spawnedAtMs);
      return { cloneSeconds, serverSeconds, replicationSeconds, healthzSeconds, ...(pointed === undefined ? {} : { pointedSeconds: pointed }) };
    },
  };
}

/** src/replication/control-loop.ts's message when it configures replication. */
const POINTED = 'pointing replication at the primary';

/** Seconds from `sinceMs` to the first `msg` line logged at or after it (the log is appended to across runs). */
async function logLineSeconds(file: string, msg: string, sinceMs: number): Promise<number | undefined> {
  const events = parseLog(await readFile(file, 'utf8').catch(() => ''));
  // pino's times have ms grain; the spawn reading may fall a little after the first line's.
  const event = events.find((candidate) => candidate.msg === msg && candidate.timeMs >= sinceMs - 1);
  return event === undefined ? undefined : (event.timeMs - sinceMs) / 1000;
}

/**
 * The floor, done by hand with nothing in between: the same backup piped
 * through the kernel straight into mysql-1's volume (mysql-0's namespace sees
 * the host paths; no network, no HTTP, no authentication), the same prepare
 * and the same server options (rendered by the agent's own code, written
 * directly), then the agent's own replication statements and a poll of
 * SHOW SLAVE STATUS until both threads run with Seconds_Behind 0. No
 * readiness hysteresis: that is part of what the agent's time pays for.
 */
export function byHandReadyPath(input: { cluster: Cluster; donor: Pod; tools: Tools }): ReadyPath {
  const { cluster, donor, tools } = input;
  return {
    key: 'by hand',
    label: 'by hand: local pipe into the volume, mariadbd, CHANGE MASTER until caught up',
    async run(recipient) {
      const scratch = join(donor.paths.dir, 'bench-ready-tmp');
      await freshDirs(scratch);
      const started = process.hrtime.bigint();
      await runInPod(donor, 'backup | extract into the recipient volume', `${tools.backup(scratch)} | ${tools.extract(recipient.paths.data)}`);
      await runInPod(recipient, 'prepare', tools.prepare(recipient.paths.data));
      await writeServerConfig(donor, recipient);
      const cloneSeconds = elapsedSince(started);
      await recipient.startServer();
      const serverSeconds = elapsedSince(started) - cloneSeconds;
      const replicationStarted = process.hrtime.bigint();
      await replicateByHand({ cluster, donor, recipient });
      return { cloneSeconds, serverSeconds, replicationSeconds: elapsedSince(replicationStarted) };
    },
  };
}

async function writeServerConfig(donor: Pod, recipient: Pod): Promise<void> {
  const [row] = await donor.query<{ version: string }>('SELECT VERSION() AS version');
  const version = parseServerVersion(String(row?.version));
  const env = recipient.agentEnv();
  const identity = deriveIdentity({
    pod: parsePodName(recipient.name),
    names: { serviceName: String(env.SERVICE_NAME), namespace: String(env.POD_NAMESPACE), clusterDomain: String(env.CLUSTER_DOMAIN) },
    serverIdOffset: 100,
  });
  await writeFile(join(recipient.paths.confD, SERVER_CONFIG_FILE), renderServerConfig(identity, version, { clonePlugin: false, awaitingClone: false }));
}

async function replicateByHand(input: { cluster: Cluster; donor: Pod; recipient: Pod }): Promise<void> {
  const { cluster, donor, recipient } = input;
  const password = new Secret(credentialValue(cluster, 'replication-password').trim(), 'REPLICATION_PASSWORD');
  const gtid = await readBackupGtid(recipient.paths.data);
  const conn = await recipient.connect();
  try {
    const [versionRows] = await conn.query<RowDataPacket[]>('SELECT VERSION() AS version');
    const dialect = dialectFor(parseServerVersion(String(versionRows[0]?.version)));
    if (gtid !== undefined) {
      const setStart = dialect.setGtidStart(gtid);
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

/** The GTID position the backup recorded, from whichever binlog info file this mariadb-backup writes. */
async function readBackupGtid(dataDir: string): Promise<string | undefined> {
  for (const name of BINLOG_INFO_FILES) {
    const text = await readFile(join(dataDir, name), 'utf8').catch(() => undefined);
    if (text !== undefined) return parseBinlogInfo(text).gtid;
  }
  throw new Error(`no binlog info file (${BINLOG_INFO_FILES.join(', ')}) in ${dataDir}: the backup recorded no coordinates`);
}
