import type { Cluster, Pod } from '../cluster/index.js';
import { loadData, type LoadedData } from './load.js';
import { loadAverages } from './machine.js';
import { agentTrial } from './mysql-agent-trial.js';
import { byHandTrial } from './mysql-by-hand-trial.js';
import { summarizeMysql, trialValue, type MysqlSectionKey, type MysqlSummary } from './mysql-report.js';
import { MYSQL_PHASES } from './mysql-timeline.js';
import type { MysqlPathKey, MysqlTrial, MysqlTrialContext, MysqlTrialTiming } from './mysql-trial.js';
import { emptyRecipient } from './recipient.js';
import { alternating } from './schedule.js';
import type { BenchSettings } from './settings.js';

const MIB = 1024 * 1024;

/**
 * The MySQL 9.7 sections, on a set whose mysql-0 holds the data: an empty
 * mysql-1 cloned with the CLONE plugin by the agent (init, server, sidecar)
 * and by hand (CLONE INSTANCE typed as root), alternating, on a fresh pod and
 * a wiped volume each time.
 *   mysql-clone  until the clone is recorded (agent) / clone_status says
 *                Completed after the restart (by hand); BENCH_RUNS per path;
 *   mysql-ready  on to a Ready replica (agent: /readyz 200) / replication
 *                caught up (by hand); BENCH_READY_RUNS per path.
 */
export interface MysqlResults {
  readonly section: MysqlSectionKey;
  readonly runsPerPath: number;
  readonly dataMb: number;
  /** Of mysql-0 when the section ran: what every trial copies. */
  readonly data: LoadedData;
  readonly trials: readonly MysqlTrial[];
  readonly summary: MysqlSummary;
}

interface MysqlPath {
  readonly key: MysqlPathKey;
  run(ctx: MysqlTrialContext, recipient: Pod, untilReady: boolean): Promise<MysqlTrialTiming>;
}

const PATHS: readonly [MysqlPath, MysqlPath] = [
  { key: 'by hand', run: byHandTrial },
  { key: 'agent', run: agentTrial },
];

export async function runMysqlSection(input: {
  section: MysqlSectionKey;
  cluster: Cluster;
  donor: Pod;
  settings: BenchSettings;
  say: (line: string) => void;
}): Promise<MysqlResults> {
  const { section, cluster, donor, settings, say } = input;
  const untilReady = section === 'mysql-ready';
  const runs = untilReady ? settings.readyRuns : settings.runs;
  say('');
  say(
    `${section}: an empty mysql-1 cloned from mysql-0 with the CLONE plugin, by the agent and by CLONE INSTANCE typed by hand, ` +
      `${untilReady ? 'until it is a Ready replica' : 'until the clone is recorded'}; ${runs} runs per path`,
  );
  // After the other MySQL section the table holds the size already and nothing is added.
  const data = await loadData(donor, settings.dataMb, say);
  say(`  data: ${data.rows} rows, ${(data.ibdBytes / MIB).toFixed(0)} MiB .ibd, data dir ${(data.dataDirBytes / MIB).toFixed(0)} MiB on disk (binlogs excluded)`);
  const ctx: MysqlTrialContext = { cluster, donor, data };
  const trials: MysqlTrial[] = [];
  for (const { round, path } of alternating(runs, PATHS)) {
    const recipient = await emptyRecipient(cluster);
    const loadAvg1 = loadAverages()[0];
    const trial: MysqlTrial = { ...(await path.run(ctx, recipient, untilReady)), path: path.key, round, loadAvg1 };
    trials.push(trial);
    say(`  round ${round} ${path.key}: ${describeTrial(section, trial)}, load ${loadAvg1}`);
  }
  return { section, runsPerPath: runs, dataMb: settings.dataMb, data, trials, summary: summarizeMysql(section, trials) };
}

/** The trial's value, then every phase it has, in order. */
function describeTrial(section: MysqlSectionKey, trial: MysqlTrial): string {
  const phases = MYSQL_PHASES.filter((phase) => trial.timeline[phase.end] !== undefined).map((phase) => `${phase.key} ${trial.phases[phase.key].toFixed(2)}`);
  const what = section === 'mysql-clone' ? 'clone' : 'to Ready';
  const recorded = trial.cloneJson === undefined ? '' : `, clone.json ${trial.cloneJson.seconds.toFixed(2)} s`;
  return `${what} ${trialValue(section, trial).toFixed(2)} s (${phases.join(', ')}); clone_status ${trial.server.cloneStatusSeconds.toFixed(2)} s${recorded}`;
}
