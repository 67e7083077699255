import type { Cluster, Pod } from '../cluster/index.js';
import { loadData, type LoadedData } from './load.js';
import { agentMethod } from './method-agent.js';
import { rawLocalMethod } from './method-raw.js';
import { relayMethod } from './method-relay.js';
import {
  checkTargets,
  renderPhases,
  renderTable,
  roundRun,
  roundSummary,
  summarize,
  type MethodResult,
  type MethodSummary,
  type TargetCheck,
} from './report.js';
import { runRounds } from './schedule.js';
import type { BenchSettings } from './settings.js';
import { round } from './stats.js';
import { createTools, PARALLEL } from './tools.js';
import { checkPrepared } from './verify.js';

const MIB = 1024 * 1024;

/**
 * How long the agent takes to clone a pod's data, next to the two things it
 * replaces, on the same data and machine:
 *   agent  mysql-1's `mysql-sts-agent init` cloning from mysql-0's sidecar;
 *   raw    the same backup | extract, prepare, locally on mysql-0 (the floor);
 *   relay  the Kubernetes tutorial's plain TCP relay between the pods.
 */
export interface CloneResults {
  readonly settings: { readonly dataMb: number; readonly runs: number; readonly parallel: number; readonly sharedFlags: string };
  readonly data: LoadedData;
  readonly methods: readonly (MethodSummary & { readonly runs: MethodResult['runs'] })[];
  readonly targets: readonly TargetCheck[];
}

/** Loads mysql-0 (`donor`, up with its sidecar) and times every method; leaves mysql-1 holding the agent's last clone. */
export async function runCloneSection(input: { cluster: Cluster; donor: Pod; settings: BenchSettings; say: (line: string) => void }): Promise<CloneResults> {
  const { cluster, donor, settings, say } = input;
  say(`clone: ${settings.dataMb} MiB of random rows, ${settings.runs} runs per method`);
  // mysql-1 is only the clone target here: its server never starts, so its volume can be wiped between runs.
  const recipient = await cluster.addPod(1);
  say('loading mysql-0');
  const data = await loadData(donor, settings.dataMb, say);
  say(
    `data: ${data.rows} rows, payload ${(data.payloadBytes / MIB).toFixed(0)} MiB; table ${(data.tableBytes / MIB).toFixed(0)} MiB (information_schema), ` +
      `${(data.ibdBytes / MIB).toFixed(0)} MiB .ibd; data dir ${(data.dataDirBytes / MIB).toFixed(0)} MiB (${data.dataDirBytes} bytes, the MiB/s basis); loaded in ${data.loadSeconds.toFixed(0)} s`,
  );

  const tools = await createTools(cluster);
  const donorHost = `${donor.name}.${cluster.names.opts.service}`;
  const methods = [agentMethod(cluster, donor, recipient), rawLocalMethod(donor, tools), relayMethod({ donor, recipient, donorHost, tools })];
  say(`every method runs the agent's own command lines (src/clone/backup-tool.ts): mariadb-backup ${tools.sharedFlags}, mbstream --parallel=${PARALLEL}, the same --prepare`);
  const results = await runRounds({ methods, rounds: settings.runs, check: (method) => checkPrepared(method.resultDir, data.ibdBytes), say });

  const summaries = summarize(results, data.dataDirBytes);
  return {
    settings: { dataMb: settings.dataMb, runs: settings.runs, parallel: PARALLEL, sharedFlags: tools.sharedFlags },
    data: { ...data, loadSeconds: round(data.loadSeconds, 1) },
    methods: summaries.map((summary) => ({ ...summary, runs: results.find((r) => r.key === summary.key)?.runs ?? [] })),
    targets: checkTargets(summaries),
  };
}

export function renderCloneSummary(clone: CloneResults): string {
  return [
    `clone: medians of ${clone.settings.runs} runs; MiB/s = data dir bytes (${(clone.data.dataDirBytes / MIB).toFixed(0)} MiB) / median`,
    renderTable(clone.methods),
    '',
    renderPhases(clone.methods),
  ].join('\n');
}

/** For the JSON: seconds and ratios rounded, so the file diffs readably between runs. */
export function roundCloneResults(clone: CloneResults): CloneResults {
  return {
    ...clone,
    methods: clone.methods.map((method) => ({ ...roundSummary(method), runs: method.runs.map(roundRun) })),
    targets: clone.targets.map((t) => ({ ...t, ratio: round(t.ratio) })),
  };
}
