/**
 * `npm run bench`, on one local StatefulSet (test/cluster/), in two sections:
 *   clone   how long the agent takes to clone a pod's data, next to a raw local
 *           pipeline and the tutorial's plain TCP relay (clone-section.ts);
 *   probes  the sidecar of a running replica: /readyz and /metrics latency at
 *           1,000 requests/s open loop and the SQL they cost, its idle RSS and
 *           CPU, and start to first /healthz answer (probes.ts).
 * Prints a final summary with the targets, writes bench-results/bench.json.
 * Numbers are printed, never asserted: they depend on the machine.
 * BENCH_DATA_MB (default 512) and BENCH_RUNS (default 5) size the clone
 * section; BENCH_PROBE_RATE (1000) and BENCH_PROBE_SECONDS (10) the load
 * windows; BENCH_ONLY=clone or BENCH_ONLY=probes runs one section alone (and
 * writes bench-results/bench-<section>.json). A quick look while developing:
 * `BENCH_DATA_MB=64 BENCH_RUNS=2 npm run bench`, or `BENCH_ONLY=probes npm run bench`.
 */
import { startAgentPod } from '../cluster/agent.js';
import { Cluster } from '../cluster/index.js';
import { renderCloneSummary, roundCloneResults, runCloneSection, type CloneResults } from './clone-section.js';
import { cpuBusyShare, loadAverages, machineInfo } from './machine.js';
import { probeTargets, renderIdleTable, renderLoadTable, renderStartTable, renderTargetLines, type TargetLine } from './probe-report.js';
import { DEFAULT_PROBE_SETTINGS, loopStarvedNote, runProbeSection, type ProbeResults } from './probes.js';
import { writeResults } from './results.js';
import { readSettings, runsSection } from './settings.js';
import { round } from './stats.js';

function say(line: string): void {
  console.log(line);
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

    let clone: CloneResults | undefined;
    if (runsSection(settings, 'clone')) clone = await runCloneSection({ cluster, donor: primary, settings, say });

    let probes: ProbeResults | undefined;
    let probeLines: TargetLine[] = [];
    if (runsSection(settings, 'probes')) {
      probes = await runProbeSection({
        cluster,
        primary,
        settings: { ...DEFAULT_PROBE_SETTINGS, rate: settings.probeRate, seconds: settings.probeSeconds },
        say,
      });
      probeLines = probeTargets(probes);
    }

    const loadAvgAtEnd = loadAverages();
    say('');
    say('==== summary ====');
    if (clone !== undefined) {
      say(renderCloneSummary(clone));
      say('');
    }
    if (probes !== undefined) {
      const { settings: p } = probes;
      say(
        `sidecar of ${probes.replica} (replica) on 127.0.0.1:8080, and a bare node HTTP server beside it for comparison: ${p.rate} req/s open loop, ${p.seconds} s per row after ${p.warmupSeconds} s warm-up, ` +
          `generator inside the pod (keep-alive); latency from each request's due time (stalls included); SQL/request from the server's Questions against an idle window as long`,
      );
      say(renderLoadTable(probes));
      for (const window of probes.loads) {
        const note = loopStarvedNote(window);
        if (note !== undefined) say(`note: ${note}`);
      }
      say('');
      say(`idle over ${p.idleSeconds} s, ${p.settleSeconds} s after Ready (before the load windows); RSS includes the node binary's resident pages (file-backed)`);
      say(renderIdleTable(probes));
      say('');
      say(renderStartTable(probes));
      say('');
    }
    const cloneLines: TargetLine[] = (clone?.targets ?? []).map((t) => ({ name: t.name, value: round(t.ratio, 2), unit: '', target: `≤ ${t.target.toFixed(2)}`, met: t.met }));
    const targets = [...cloneLines, ...probeLines];
    say(renderTargetLines(targets));
    say(
      `load average: ${loadAvgAtStart.join(' ')} at start, ${loadAvgAtEnd.join(' ')} at the end (${machine.cpus} CPUs; ` +
        `they include the benchmark's own processes); CPUs ${Math.round(busyBeforeStart * 100)}% busy with other work before start`,
    );

    const file = await writeResults({
      benchmark: 'mysql-sts-agent',
      only: settings.only ?? null,
      startedAt: startedAt.toISOString(),
      finishedAt: new Date().toISOString(),
      machine: { ...machine, loadAvgAtStart, loadAvgAtEnd, busyBeforeStart },
      ...(clone === undefined ? {} : { clone: roundCloneResults(clone) }),
      ...(probes === undefined ? {} : { probes: { ...probes, targets: probeLines } }),
      targets,
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
