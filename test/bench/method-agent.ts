import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { runAgentIn } from '../cluster/agent.js';
import type { Cluster, Pod } from '../cluster/index.js';
import { initPhases, lastDonorReport, parseLog } from './agent-log.js';
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
      const started = process.hrtime.bigint();
      const result = await runAgentIn(cluster, recipient, ['init'], { CLONE_PARALLEL: String(PARALLEL) });
      const seconds = elapsedSince(started);
      if (result.exitCode !== 0) {
        throw new Error(`mysql-sts-agent init in ${recipient.name} exited ${result.exitCode}:\n${tail(result.stderr || result.stdout)}`);
      }
      const phases = initPhases(parseLog(result.stdout));
      if (phases.outcome !== 'cloned') {
        throw new Error(`mysql-sts-agent init in ${recipient.name} ended "${phases.outcome}" instead of cloning: the volume was not empty?`);
      }
      // The donor's side of the same stream: mariadb-backup's run time there, to tell a slow backup from a slow transport.
      const donor = lastDonorReport(parseLog(await readFile(sidecarLog, 'utf8').catch(() => '')));
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

function tail(text: string): string {
  return text.trim().split('\n').slice(-8).join('\n');
}
