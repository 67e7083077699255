import type { Cluster, Pod } from '../cluster/index.js';
import { growthOfAll, renderGrowth, type CloneGrowth } from './clone-growth.js';
import { loadData, type LoadedData } from './load.js';
import { agentMethod } from './method-agent.js';
import { rawLocalMethod } from './method-raw.js';
import { relayMethod } from './method-relay.js';
import type { Method } from './method.js';
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
 * At two data sizes: agent and raw at the small one, all three at the large
 * one (the targets), so the growth of the cost with the data shows.
 */
export interface CloneSizeResults {
  readonly size: 'small' | 'large';
  readonly dataMb: number;
  readonly data: LoadedData;
  readonly methods: readonly (MethodSummary & { readonly runs: MethodResult['runs'] })[];
}

export interface CloneResults {
  readonly settings: { readonly dataMb: number; readonly smallDataMb: number; readonly runs: number; readonly parallel: number; readonly sharedFlags: string };
  /** Small first (timed first), then large. */
  readonly sizes: readonly CloneSizeResults[];
  /** Per method timed at both sizes: large/small time against large/small data. */
  readonly growth: readonly CloneGrowth[];
  /** At the large size. */
  readonly targets: readonly TargetCheck[];
}

/** Loads mysql-0 (`donor`, up with its sidecar) and times every method; leaves mysql-1 holding the agent's last clone. */
export async function runCloneSection(input: { cluster: Cluster; donor: Pod; settings: BenchSettings; say: (line: string) => void }): Promise<CloneResults> {
  const { cluster, donor, settings, say } = input;
  say(`clone: ${settings.smallDataMb} MiB then ${settings.dataMb} MiB of random rows, ${settings.runs} runs per method and size`);
  // mysql-1 is only the clone target here: its server never starts, so its volume can be wiped between runs.
  const recipient = await cluster.addPod(1);
  const tools = await createTools(cluster);
  const donorHost = `${donor.name}.${cluster.names.opts.service}`;
  const agent = agentMethod(cluster, donor, recipient);
  const raw = rawLocalMethod(donor, tools);
  const relay = relayMethod({ donor, recipient, donorHost, tools });
  say(`every method runs the agent's own command lines (src/clone/backup-tool.ts): mariadb-backup ${tools.sharedFlags}, mbstream --parallel=${PARALLEL}, the same --prepare`);

  // The relay is the slowest and its ratio is only targeted at the large size: leaving it out of the small one saves time.
  const small = await timeSize({ size: 'small', dataMb: settings.smallDataMb, methods: [agent, raw], donor, runs: settings.runs, say });
  const large = await timeSize({ size: 'large', dataMb: settings.dataMb, methods: [agent, raw, relay], donor, runs: settings.runs, say });
  const points = (sizeResults: CloneSizeResults) =>
    sizeResults.methods.map((m) => ({ key: m.key, label: m.label, dataBytes: sizeResults.data.dataDirBytes, medianSeconds: m.medianSeconds }));
  return {
    settings: { dataMb: settings.dataMb, smallDataMb: settings.smallDataMb, runs: settings.runs, parallel: PARALLEL, sharedFlags: tools.sharedFlags },
    sizes: [small, large],
    growth: growthOfAll(points(small), points(large)),
    targets: checkTargets(large.methods),
  };
}

/** Grows mysql-0's table to `dataMb` and times `methods` on it, interleaved. */
async function timeSize(input: {
  size: CloneSizeResults['size'];
  dataMb: number;
  methods: readonly Method[];
  donor: Pod;
  runs: number;
  say: (line: string) => void;
}): Promise<CloneSizeResults> {
  const { size, dataMb, methods, donor, runs, say } = input;
  say(`${size} size: loading mysql-0 up to ${dataMb} MiB of rows`);
  const data = await loadData(donor, dataMb, say);
  say(
    `  data: ${data.rows} rows, payload ${(data.payloadBytes / MIB).toFixed(0)} MiB; table ${(data.tableBytes / MIB).toFixed(0)} MiB (information_schema), ` +
      `${(data.ibdBytes / MIB).toFixed(0)} MiB .ibd; data dir ${(data.dataDirBytes / MIB).toFixed(0)} MiB (${data.dataDirBytes} bytes, the MiB/s basis); loaded in ${data.loadSeconds.toFixed(0)} s`,
  );
  const results = await runRounds({ methods, rounds: runs, check: (method) => checkPrepared(method.resultDir, data.ibdBytes), say });
  const summaries = summarize(results, data.dataDirBytes);
  return {
    size,
    dataMb,
    data: { ...data, loadSeconds: round(data.loadSeconds, 1) },
    methods: summaries.map((summary) => ({ ...summary, runs: results.find((r) => r.key === summary.key)?.runs ?? [] })),
  };
}

export function renderCloneSummary(clone: CloneResults): string {
  const lines = [`clone: medians of ${clone.settings.runs} runs; MiB/s = data dir bytes / median`];
  for (const size of clone.sizes) {
    lines.push('', `${size.size}: ${(size.data.dataDirBytes / MIB).toFixed(0)} MiB data dir (${size.dataMb} MiB of rows)`, renderTable(size.methods), '', renderPhases(size.methods));
  }
  lines.push('', 'growth, small → large: time × against data ×; the line through both medians splits a clone into a fixed part and a per-MiB part', renderGrowth(clone.growth));
  return lines.join('\n');
}

/** For the JSON: seconds and ratios rounded, so the file diffs readably between runs. */
export function roundCloneResults(clone: CloneResults): CloneResults {
  return {
    ...clone,
    sizes: clone.sizes.map((size) => ({ ...size, methods: size.methods.map((method) => ({ ...roundSummary(method), runs: method.runs.map(roundRun) })) })),
    targets: clone.targets.map((t) => ({ ...t, ratio: round(t.ratio) })),
  };
}
