import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BINLOG_INFO_FILES, parseBinlogInfo } from '../../src/data-dir/coordinates.js';
import { runInitContainer, startSidecar, waitForReady, waitForSidecar } from '../cluster/agent.js';
import type { Cluster, Pod } from '../cluster/index.js';
import { parseLog } from './agent-log.js';
import { replicateByHand, writeServerConfig } from './by-hand.js';
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
   * the checks that prove it caught up (every 200 ms after pointing).
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
 * readiness checks: they are part of what the agent's time pays for.
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
      await writeServerConfig(donor, recipient, { clonePlugin: false, awaitingClone: false });
      const cloneSeconds = elapsedSince(started);
      await recipient.startServer();
      const serverSeconds = elapsedSince(started) - cloneSeconds;
      const replicationStarted = process.hrtime.bigint();
      await replicateByHand({ cluster, donor, recipient, gtidStart: await readBackupGtid(recipient.paths.data) });
      return { cloneSeconds, serverSeconds, replicationSeconds: elapsedSince(replicationStarted) };
    },
  };
}

/** The GTID position the backup recorded, from whichever binlog info file this mariadb-backup writes. */
async function readBackupGtid(dataDir: string): Promise<string | undefined> {
  for (const name of BINLOG_INFO_FILES) {
    const text = await readFile(join(dataDir, name), 'utf8').catch(() => undefined);
    if (text !== undefined) return parseBinlogInfo(text).gtid;
  }
  throw new Error(`no binlog info file (${BINLOG_INFO_FILES.join(', ')}) in ${dataDir}: the backup recorded no coordinates`);
}
