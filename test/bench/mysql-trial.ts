import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Cluster, Pod } from '../cluster/index.js';
import { CLONE_PROGRESS_QUERY, summariseProgress } from '../../src/clone/clone-plugin/statements.js';
import { tableFile, type LoadedData } from './load.js';
import { cloneSecondsOf, phasesOf, timelineFrom, type MysqlMoment, type MysqlPhase, type Timeline } from './mysql-timeline.js';
import { parseErrorLog, parseKubeletLog, restartMoments } from './server-logs.js';

/** What every MySQL trial needs: the cluster, mysql-0 holding the data, and what it holds. */
export interface MysqlTrialContext {
  readonly cluster: Cluster;
  readonly donor: Pod;
  readonly data: LoadedData;
}

export type MysqlPathKey = 'agent' | 'by hand';

/** What the recipient's server says about its clone, read once the trial is over (untimed). */
export interface ServerCloneReport {
  /** clone_status END_TIME − BEGIN_TIME: what clone.json records as `seconds` (it includes the restart). */
  readonly cloneStatusSeconds: number;
  /** clone_progress DATA, summed over the stages: the bytes the clone copied. */
  readonly cloneBytes: number;
  /** clone_progress per stage (drop data, file copy, page copy, redo copy, file sync, restart, recovery), seconds. */
  readonly stages: Readonly<Record<string, number>>;
  /** Of the restart: mysqld's start to "ready for connections", and its InnoDB initialisation within it. */
  readonly mysqldStartSeconds: number;
  readonly innodbInitSeconds: number;
}

/** One timed trial, without the bookkeeping the section adds. */
export interface MysqlTrialTiming {
  readonly timeline: Timeline;
  readonly phases: Readonly<Record<MysqlPhase, number>>;
  /** The sum of CLONE_PHASES: what the clone section compares. */
  readonly cloneSeconds: number;
  /** Start to the trial's last moment (clone recorded, or Ready): what the ready section compares. */
  readonly seconds: number;
  readonly server: ServerCloneReport;
  /** Agent only: what its clone.json says (seconds: clone_status END − BEGIN as the agent read it). */
  readonly cloneJson?: { readonly donor: string; readonly seconds: number; readonly bytes: number };
}

export interface MysqlTrial extends MysqlTrialTiming {
  readonly path: MysqlPathKey;
  /** 1-based, in the order the rounds happened. */
  readonly round: number;
  /** 1-minute load average when the trial started. */
  readonly loadAvg1: number;
}

/** Long enough for a multi-GB clone under load; a hung clone still ends the run. */
export const CLONE_TIMEOUT_MS = 600_000;
export const SERVER_TIMEOUT_MS = 120_000;

/** Durations computed by the server: mysql2 hands TIMESTAMPs back as Dates in the client's zone. */
const SECONDS = 'TIMESTAMPDIFF(MICROSECOND, BEGIN_TIME, END_TIME) / 1000000 AS seconds';
const STATUS_QUERY = `SELECT STATE AS state, ${SECONDS} FROM performance_schema.clone_status ORDER BY ID DESC LIMIT 1`;
const STAGES_QUERY = `SELECT STAGE AS stage, ${SECONDS} FROM performance_schema.clone_progress`;

/**
 * The trial's timeline from the moments the bench saw itself (epoch ms) and
 * the restart's moments from the pod's logs; then the untimed checks that the
 * clone did the whole job: one restart, the table's file all there.
 */
export async function finishTrial(
  ctx: MysqlTrialContext,
  recipient: Pod,
  startMs: number,
  seen: Partial<Record<MysqlMoment, number | undefined>>,
): Promise<MysqlTrialTiming> {
  const logs = recipient.paths.logs;
  const errorLog = parseErrorLog(await readFile(join(logs, 'mysqld.err'), 'utf8'));
  const kubeletLog = parseKubeletLog(await readFile(join(logs, 'kubelet.log'), 'utf8'));
  const restart = restartMoments(errorLog, kubeletLog, startMs);
  const timeline = timelineFrom(startMs, { ...seen, ...restart });
  const phases = phasesOf(timeline);
  await checkWholeClone(ctx, recipient);
  const server = { ...(await readCloneReport(recipient)), mysqldStartSeconds: restart.mysqldStartSeconds, innodbInitSeconds: restart.innodbInitSeconds };
  const last = Math.max(...Object.values(timeline));
  return { timeline, phases, cloneSeconds: cloneSecondsOf(phases), seconds: last, server };
}

async function readCloneReport(recipient: Pod): Promise<Omit<ServerCloneReport, 'mysqldStartSeconds' | 'innodbInitSeconds'>> {
  const [status] = await recipient.query<{ state: string; seconds: string | number | null }>(STATUS_QUERY);
  if (status?.state !== 'Completed') throw new Error(`${recipient.name}'s clone_status says ${status?.state ?? 'nothing'}, not Completed`);
  const progress = summariseProgress(await recipient.query(CLONE_PROGRESS_QUERY));
  const stageRows = await recipient.query<{ stage: string; seconds: string | number | null }>(STAGES_QUERY);
  const stages = Object.fromEntries(stageRows.map((row) => [row.stage.toLowerCase(), Number(row.seconds ?? 0)]));
  return { cloneStatusSeconds: Number(status.seconds ?? 0), cloneBytes: progress?.bytes ?? 0, stages };
}

/** A fast time for a clone that restarted twice or copied half the table would be a lie in the table. */
async function checkWholeClone(ctx: MysqlTrialContext, recipient: Pod): Promise<void> {
  const restarts = recipient.server.restartCount;
  if (restarts !== 1) throw new Error(`${recipient.name}'s server was restarted ${restarts} times during the clone, not once:\n${recipient.server.errorLogTail()}`);
  const ibd = await stat(tableFile(recipient.paths.data)).catch(() => undefined);
  // Clone copies pages, not bytes: allow a little less than the donor's file, never a partial one.
  if (ibd === undefined || ibd.size < ctx.data.ibdBytes * 0.9) {
    throw new Error(`${tableFile(recipient.paths.data)} has ${ibd?.size ?? 0} bytes, the donor's ${ctx.data.ibdBytes}: the clone is incomplete`);
  }
}
