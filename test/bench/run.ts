/**
 * `npm run bench`: how long the agent takes to clone a pod's data, next to the
 * two things it replaces, on the same data and machine:
 *   agent  mysql-1's `mysql-sts-agent init` cloning from mysql-0's sidecar;
 *   raw    the same backup | extract, prepare, locally on mysql-0 (the floor);
 *   relay  the Kubernetes tutorial's plain TCP relay between the pods.
 * Prints the table and the target ratios, writes bench-results/clone.json.
 * Times are printed, never asserted: they depend on the machine.
 * BENCH_DATA_MB (default 512) and BENCH_RUNS (default 5) size it: a quick
 * look while developing is `BENCH_DATA_MB=64 BENCH_RUNS=2 npm run bench`.
 */
import { startAgentPod } from '../cluster/agent.js';
import { Cluster } from '../cluster/index.js';
import { loadData } from './load.js';
import { cpuBusyShare, loadAverages, machineInfo } from './machine.js';
import { agentMethod } from './method-agent.js';
import { rawLocalMethod } from './method-raw.js';
import { relayMethod } from './method-relay.js';
import { checkTargets, renderPhases, renderTable, renderTargets, roundRun, roundSummary, summarize } from './report.js';
import { writeResults } from './results.js';
import { runRounds } from './schedule.js';
import { readSettings } from './settings.js';
import { round } from './stats.js';
import { createTools, PARALLEL } from './tools.js';
import { checkPrepared } from './verify.js';

const MIB = 1024 * 1024;

function say(line: string): void {
  console.log(line);
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const startedAt = new Date();
  const loadAvgAtStart = loadAverages();
  const busyBeforeStart = await cpuBusyShare();
  say(
    `clone benchmark: ${settings.dataMb} MiB of random rows, ${settings.runs} runs per method; ` +
      `before start: load average ${loadAvgAtStart.join(' ')}, CPUs ${Math.round(busyBeforeStart * 100)}% busy with other work`,
  );
  const cluster = await Cluster.create();
  // Ctrl-C must not leave namespaces and servers behind: tear down, then exit.
  const onSignal = (signal: NodeJS.Signals) => {
    say(`${signal}: tearing the cluster down`);
    void cluster.down().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const donor = await startAgentPod(cluster, 0);
    // mysql-1 is only the clone target: its server never starts, so its volume can be wiped between runs.
    const recipient = await cluster.addPod(1);
    const machine = await machineInfo(donor);
    say(`machine: ${machine.cpus} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, kernel ${machine.kernel}, node ${machine.node}, MariaDB ${machine.mariadb}`);

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
    const targets = checkTargets(summaries);
    const loadAvgAtEnd = loadAverages();
    say('');
    say(`medians of ${settings.runs} runs; MiB/s = data dir bytes (${(data.dataDirBytes / MIB).toFixed(0)} MiB) / median`);
    say(renderTable(summaries));
    say('');
    say(renderPhases(summaries));
    say('');
    say(renderTargets(targets));
    say(
      `load average: ${loadAvgAtStart.join(' ')} at start, ${loadAvgAtEnd.join(' ')} at the end (${machine.cpus} CPUs; ` +
        `the per-run values include the benchmark's own processes); CPUs ${Math.round(busyBeforeStart * 100)}% busy with other work before start`,
    );

    const file = await writeResults({
      benchmark: 'clone',
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      settings: { ...settings, parallel: PARALLEL, sharedFlags: tools.sharedFlags },
      machine: { ...machine, loadAvgAtStart, loadAvgAtEnd, busyBeforeStart },
      data: { ...data, loadSeconds: round(data.loadSeconds, 1) },
      methods: summaries.map((summary) => ({ ...roundSummary(summary), runs: (results.find((r) => r.key === summary.key)?.runs ?? []).map(roundRun) })),
      targets: targets.map((t) => ({ ...t, ratio: round(t.ratio) })),
    });
    say(`wrote ${file}`);
  } finally {
    await cluster.down();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  console.error(`clone benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
