import type { Cluster, Pod } from '../cluster/index.js';
import { elapsedSince } from './clock.js';
import { loadData } from './load.js';
import { loadAverages } from './machine.js';
import { agentReadyPath, byHandReadyPath, type ReadyPath } from './ready-paths.js';
import { READY_PHASES, summarizeReady, type ReadyRun, type ReadySummary } from './ready-report.js';
import { emptyRecipient } from './recipient.js';
import { alternating } from './schedule.js';
import type { BenchSettings } from './settings.js';
import { createTools } from './tools.js';

const MIB = 1024 * 1024;

/**
 * Time from an empty pod to Ready: mysql-1, recreated on a wiped volume,
 * becomes a replica of mysql-0 that says Ready, split into clone, server
 * start and replication. The baseline is the same steps done by hand in the
 * same run, on the same data (see byHandReadyPath).
 */
export interface ReadyResults {
  readonly runsPerPath: number;
  /** Of mysql-0 when the section ran: what every trial copies. */
  readonly dataMb: number;
  readonly dataDirBytes: number;
  readonly runs: readonly ReadyRun[];
  readonly summary: ReadySummary;
}

/** Runs on a cluster whose mysql-0 is up with its sidecar; leaves mysql-1 as a fresh pod on an empty volume. */
export async function runReadySection(input: { cluster: Cluster; donor: Pod; settings: BenchSettings; say: (line: string) => void }): Promise<ReadyResults> {
  const { cluster, donor, settings, say } = input;
  say('');
  say(`empty pod → Ready: mysql-1 recreated on an empty volume until it is a Ready replica of mysql-0, ${settings.readyRuns} runs per path`);
  // Alone (BENCH_ONLY=ready) the table is loaded here; after the clone section it holds the large size already and nothing is added.
  const data = await loadData(donor, settings.dataMb, say);
  say(`  data dir ${(data.dataDirBytes / MIB).toFixed(0)} MiB (${settings.dataMb} MiB of rows)`);
  const agent = agentReadyPath(cluster);
  const byHand = byHandReadyPath({ cluster, donor, tools: await createTools(cluster) });
  const runs: ReadyRun[] = [];
  for (const { round, path } of alternating<ReadyPath>(settings.readyRuns, [byHand, agent])) {
    const recipient = await emptyRecipient(cluster);
    const loadAvg1 = loadAverages()[0];
    const started = process.hrtime.bigint();
    const timing = await path.run(recipient);
    const run: ReadyRun = { ...timing, path: path.key, round, seconds: elapsedSince(started), loadAvg1 };
    runs.push(run);
    say(`  round ${round} ${path.key}: ${run.seconds.toFixed(2)} s (${READY_PHASES.map((phase) => run[phase].toFixed(2)).join(' + ')}), load ${loadAvg1}`);
  }
  // The next section brings mysql-1 up its own way: from an empty volume, as when it runs alone.
  await emptyRecipient(cluster);
  return { runsPerPath: settings.readyRuns, dataMb: settings.dataMb, dataDirBytes: data.dataDirBytes, runs, summary: summarizeReady({ agent, byHand }, runs) };
}
