import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { runInitContainer } from '../cluster/agent.js';
import type { Cluster, Pod } from '../cluster/index.js';
import { donorReports, initPhases, parseLog, type DonorReport } from './agent-log.js';
import { elapsedSince } from './clock.js';
import type { Method, RunTiming } from './method.js';
import { PARALLEL } from './tools.js';

/**
 * The agent as Kubernetes runs it: mysql-1's init container on an empty
 * volume, cloning from mysql-0's sidecar (HTTP, HMAC, end-of-stream trailer)
 * and preparing, timed from spawn to exit 0. mysql-1's server is never
 * started, so wiping its volume between runs is the lost-volume case.
 */
export function agentMethod(cluster: Cluster, donor: Pod, recipient: Pod): Method {
  const sidecarLog = join(donor.paths.logs, 'sidecar.log');
  return {
    key: 'agent',
    label: 'agent (init in mysql-1)',
    resultDir: recipient.paths.data,
    async reset() {
      cluster.removePodData(recipient.n);
    },
    async run(): Promise<RunTiming> {
      const reportsBefore = (await readDonorReports(sidecarLog)).length;
      const started = process.hrtime.bigint();
      const result = await runInitContainer(cluster, recipient, { CLONE_PARALLEL: String(PARALLEL) });
      const seconds = elapsedSince(started);
      if (result.exitCode !== 0) {
        throw new Error(`mysql-sts-agent init in ${recipient.name} exited ${result.exitCode}:\n${tail(result.stderr || result.stdout)}`);
      }
      const phases = initPhases(parseLog(result.stdout));
      if (phases.outcome !== 'cloned') {
        throw new Error(`mysql-sts-agent init in ${recipient.name} ended "${phases.outcome}" instead of cloning: the volume was not empty?`);
      }
      // The donor's side of the same stream: mariadb-backup's run time there, to tell a slow backup from a slow transport.
      const donor = await newDonorReport(sidecarLog, reportsBefore);
      return {
        seconds,
        streamSeconds: phases.streamSeconds,
        prepareSeconds: phases.prepareAndCommitSeconds,
        otherSeconds: seconds - phases.cloneSeconds,
        streamBytes: phases.streamBytes,
        extra: donor === undefined ? {} : { donorBackupSeconds: donor.seconds, donorBytes: donor.bytes, donorResult: donor.result },
      };
    },
  };
}

async function readDonorReports(file: string): Promise<DonorReport[]> {
  return donorReports(parseLog(await readFile(file, 'utf8').catch(() => '')));
}

/** The donor logs the end of a stream as its tool exits, which may land just after init has finished reading: wait a moment. */
async function newDonorReport(file: string, before: number): Promise<DonorReport | undefined> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const reports = await readDonorReports(file);
    if (reports.length > before) return reports.at(-1);
    await sleep(100);
  }
  return undefined;
}

function tail(text: string): string {
  return text.trim().split('\n').slice(-8).join('\n');
}
