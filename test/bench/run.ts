/**
 * `npm run bench`, on one local StatefulSet (test/cluster/), in three sections:
 *   clone   how long the agent takes to clone a pod's data, next to a raw local
 *           pipeline and the tutorial's plain TCP relay, at two data sizes so the
 *           growth of the cost shows (clone-section.ts);
 *   ready   an empty pod to a Ready replica (init, server start, sidecar), next to
 *           the same steps done by hand (ready-section.ts);
 *   probes  the sidecar of a running replica: /readyz and /metrics latency at
 *           1,000 requests/s open loop and the SQL they cost, its idle RSS and
 *           CPU, and start to first /healthz answer (probes.ts).
 * Prints one final table (value, baseline from the same run, ratio, target) and
 * writes it with every detail to bench-results/bench.json.
 * Numbers are printed, never asserted: they depend on the machine.
 * BENCH_DATA_MB (default 512, the large size), BENCH_SMALL_DATA_MB (default a
 * quarter of it) and BENCH_RUNS (default 5) size the clone section;
 * BENCH_READY_RUNS (3) the ready one; BENCH_PROBE_RATE (1000) and
 * BENCH_PROBE_SECONDS (10) the load windows; BENCH_ONLY=clone|ready|probes runs
 * one section alone (and writes bench-results/bench-<section>.json). A quick
 * look while developing: `BENCH_DATA_MB=64 BENCH_RUNS=2 BENCH_READY_RUNS=1 npm run bench`.
 */
import { startAgentPod } from '../cluster/agent.js';
import { Cluster, type Pod } from '../cluster/index.js';
import { renderCloneSummary, roundCloneResults, runCloneSection, type CloneResults } from './clone-section.js';
import { cpuBusyShare, loadAverages, machineInfo } from './machine.js';
import { renderIdleTable, renderLoadTable, renderStartTable } from './probe-report.js';
import { DEFAULT_PROBE_SETTINGS, loopStarvedNote, runProbeSection, type ProbeResults } from './probes.js';
import { renderReady } from './ready-report.js';
import { runReadySection, type ReadyResults } from './ready-section.js';
import { writeResults } from './results.js';
import { readSettings, runsSection, type BenchSettings } from './settings.js';
import { cloneRows, probeRows, readyRows } from './summary-rows.js';
import { countTargets, renderSummary, type SummaryRow } from './summary.js';

function say(line: string): void {
  console.log(line);
}

interface SectionResults {
  readonly clone?: CloneResults;
  readonly ready?: ReadyResults;
  readonly probes?: ProbeResults;
}

async function runSections(cluster: Cluster, primary: Pod, settings: BenchSettings): Promise<SectionResults> {
  const clone = runsSection(settings, 'clone') ? await runCloneSection({ cluster, donor: primary, settings, say }) : undefined;
  const ready = runsSection(settings, 'ready') ? await runReadySection({ cluster, donor: primary, settings, say }) : undefined;
  const probeSettings = { ...DEFAULT_PROBE_SETTINGS, rate: settings.probeRate, seconds: settings.probeSeconds };
  const probes = runsSection(settings, 'probes') ? await runProbeSection({ cluster, primary, settings: probeSettings, say }) : undefined;
  return { ...(clone && { clone }), ...(ready && { ready }), ...(probes && { probes }) };
}

/** Each section's detailed tables, then the one table of every section. */
function printSummaries(results: SectionResults): SummaryRow[] {
  const { clone, ready, probes } = results;
  say('');
  say('==== details ====');
  if (clone !== undefined) say(`${renderCloneSummary(clone)}\n`);
  if (ready !== undefined) {
    say(`empty pod → Ready (mysql-1 replica of mysql-0, ${ready.runsPerPath} runs per path; each phase is its own median)`);
    say(`${renderReady(ready.summary)}\n`);
  }
  if (probes !== undefined) {
    const { settings: p } = probes;
    say(
      `sidecar of ${probes.replica} (replica) on 127.0.0.1:8080, and a bare node HTTP server beside it for comparison: ${p.rate} req/s open loop, ${p.seconds} s per row after ${p.warmupSeconds} s warm-up, ` +
        `generator inside the pod (keep-alive); latency from each request's due time (stalls included); SQL/request from the server's Questions against an idle window as long`,
    );
    say(renderLoadTable(probes));
    for (const note of probes.loads.map(loopStarvedNote)) if (note !== undefined) say(`note: ${note}`);
    say('');
    say(`idle over ${p.idleSeconds} s, ${p.settleSeconds} s after Ready (before the load windows); RSS includes the node binary's resident pages (file-backed)`);
    say(renderIdleTable(probes));
    say('');
    say(`${renderStartTable(probes)}\n`);
  }
  const rows = [...(clone ? cloneRows(clone) : []), ...(ready ? readyRows(ready) : []), ...(probes ? probeRows(probes) : [])];
  const { total, met } = countTargets(rows);
  say('==== summary (every baseline measured in this run) ====');
  say(renderSummary(rows));
  say(`targets met: ${met} of ${total}`);
  return rows;
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const startedAt = new Date();
  const loadAvgAtStart = loadAverages();
  const busyBeforeStart = await cpuBusyShare();
  say(
    `benchmark${settings.only === undefined ? '' : ` (BENCH_ONLY=${settings.only})`}; ` +
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
    const primary = await startAgentPod(cluster, 0);
    const machine = await machineInfo(primary);
    say(`machine: ${machine.cpus} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, kernel ${machine.kernel}, node ${machine.node}, MariaDB ${machine.mariadb}`);
    const results = await runSections(cluster, primary, settings);
    const summary = printSummaries(results);
    const loadAvgAtEnd = loadAverages();
    const seconds = (Date.now() - startedAt.getTime()) / 1000;
    say(
      `load average: ${loadAvgAtStart.join(' ')} at start, ${loadAvgAtEnd.join(' ')} at the end (${machine.cpus} CPUs; ` +
        `they include the benchmark's own processes); CPUs ${Math.round(busyBeforeStart * 100)}% busy with other work before start; ${seconds.toFixed(0)} s in all`,
    );
    const file = await writeResults({
      benchmark: 'mysql-sts-agent',
      only: settings.only ?? null,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { ...machine, loadAvgAtStart, loadAvgAtEnd, busyBeforeStart },
      summary,
      ...(results.clone && { clone: roundCloneResults(results.clone) }),
      ...(results.ready && { ready: results.ready }),
      ...(results.probes && { probes: results.probes }),
    });
    say(`wrote ${file}`);
  } finally {
    await cluster.down();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
