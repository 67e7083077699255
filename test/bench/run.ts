/**
 * `npm run bench`, on local StatefulSets (test/cluster/): four sections on a
 * MariaDB 10.11 set, then two on a MySQL 9.7 set:
 *   clone        how long the agent takes to clone a pod's data, next to a raw local
 *                pipeline and the tutorial's plain TCP relay, at two data sizes so the
 *                growth of the cost shows (clone-section.ts);
 *   ready        an empty pod to a Ready replica (init, server start, sidecar), next to
 *                the same steps done by hand (ready-section.ts);
 *   probes       the sidecar of a running replica: /readyz and /metrics latency at
 *                1,000 requests/s open loop and the SQL they cost, its idle RSS and
 *                CPU, and start to first /healthz answer (probes.ts);
 *   image        each image's size and layers (built first if missing), and the sidecar
 *                idle 30 s after start in the MariaDB image for the primary and a replica,
 *                beside the host's sidecar in the same pods (image-section.ts);
 *   mysql-clone  MySQL's CLONE plugin driven by the agent (init, server, sidecar until
 *                the clone is recorded), next to CLONE INSTANCE typed by hand;
 *   mysql-ready  the same on to a Ready replica, next to the raw clone plus CHANGE
 *                REPLICATION SOURCE by hand; its gap (agent − by hand) against
 *                MariaDB's from the ready section (mysql-section.ts).
 * Prints one final table (value, baseline from the same run, ratio, target) and
 * writes it with every detail to bench-results/bench.json.
 * Numbers are printed, never asserted: they depend on the machine.
 * BENCH_DATA_MB (default 512, the large size), BENCH_SMALL_DATA_MB (default a
 * quarter of it) and BENCH_RUNS (default 5) size the clone sections;
 * BENCH_READY_RUNS (3) the ready ones; BENCH_PROBE_RATE (1000) and
 * BENCH_PROBE_SECONDS (10) the load windows; BENCH_ONLY=<section>[,<section>…]
 * runs some sections (and writes bench-results/bench-<section>[+…].json). A quick
 * look while developing: `BENCH_DATA_MB=64 BENCH_RUNS=2 BENCH_READY_RUNS=1 npm run bench`.
 */
import type { Cluster, Pod } from '../cluster/index.js';
import { MYSQL_OVERLAY, withCluster } from './bench-cluster.js';
import { runImageSection } from './image-section.js';
import { IDLE_AFTER_SECONDS } from './image-sidecar.js';
import { roundCloneResults, runCloneSection } from './clone-section.js';
import { cpuBusyShare, loadAverages, machineInfo } from './machine.js';
import { runMysqlSection } from './mysql-section.js';
import { printSummaries, type SectionResults } from './printout.js';
import { DEFAULT_PROBE_SETTINGS, runProbeSection, SMOKE_PROBE_SETTINGS } from './probes.js';
import { runReadySection } from './ready-section.js';
import { writeResults } from './results.js';
import { MARIADB_SECTIONS, MYSQL_SECTIONS, readSettings, runsAnyOf, runsSection, type BenchSettings } from './settings.js';

function say(line: string): void {
  console.log(line);
}

async function runMariadbSections(cluster: Cluster, primary: Pod, settings: BenchSettings): Promise<SectionResults> {
  const clone = runsSection(settings, 'clone') ? await runCloneSection({ cluster, donor: primary, settings, say }) : undefined;
  const ready = runsSection(settings, 'ready') ? await runReadySection({ cluster, donor: primary, settings, say }) : undefined;
  const probeSettings = { ...(settings.smoke ? SMOKE_PROBE_SETTINGS : DEFAULT_PROBE_SETTINGS), rate: settings.probeRate, seconds: settings.probeSeconds };
  const probes = runsSection(settings, 'probes') ? await runProbeSection({ cluster, primary, settings: probeSettings, say }) : undefined;
  const idleAfterSeconds = settings.smoke ? 1 : IDLE_AFTER_SECONDS;
  const image = runsSection(settings, 'image') ? await runImageSection({ cluster, primary, idleAfterSeconds, say }) : undefined;
  return { ...(clone && { clone }), ...(ready && { ready }), ...(probes && { probes }), ...(image && { image }) };
}

async function runMysqlSections(cluster: Cluster, donor: Pod, settings: BenchSettings): Promise<SectionResults> {
  const run = (section: 'mysql-clone' | 'mysql-ready') => (runsSection(settings, section) ? runMysqlSection({ section, cluster, donor, settings, say }) : undefined);
  const mysqlClone = await run('mysql-clone');
  const mysqlReady = await run('mysql-ready');
  return { ...(mysqlClone && { mysqlClone }), ...(mysqlReady && { mysqlReady }) };
}

/** Each server's sections on a set of its own, one set after the other (never both at once on the machine). */
async function runSections(settings: BenchSettings, servers: Record<string, string>): Promise<SectionResults> {
  const mariadb = runsAnyOf(settings, MARIADB_SECTIONS)
    ? await withCluster({ overlay: undefined, say }, (cluster, primary, version) => {
        servers.mariadb = version;
        return runMariadbSections(cluster, primary, settings);
      })
    : {};
  const mysql = runsAnyOf(settings, MYSQL_SECTIONS)
    ? await withCluster({ overlay: MYSQL_OVERLAY, say }, (cluster, primary, version) => {
        servers.mysql = version;
        return runMysqlSections(cluster, primary, settings);
      })
    : {};
  return { ...mariadb, ...mysql };
}

async function main(): Promise<void> {
  const settings = readSettings(process.env);
  const startedAt = new Date();
  const loadAvgAtStart = loadAverages();
  const busyBeforeStart = await cpuBusyShare();
  say(
    `benchmark${settings.only === undefined ? '' : ` (BENCH_ONLY=${settings.only.join(',')})`}; ` +
      `before start: load average ${loadAvgAtStart.join(' ')}, CPUs ${Math.round(busyBeforeStart * 100)}% busy with other work`,
  );
  const machine = machineInfo();
  say(`machine: ${machine.cpus} × ${machine.cpuModel}, ${(machine.memoryBytes / 2 ** 30).toFixed(1)} GiB, kernel ${machine.kernel}, node ${machine.node}`);
  const servers: Record<string, string> = {};
  const results = await runSections(settings, servers);
  const summary = printSummaries(results, say);
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
    machine: { ...machine, loadAvgAtStart, loadAvgAtEnd, busyBeforeStart, servers },
    summary,
    ...results,
    ...(results.clone && { clone: roundCloneResults(results.clone) }),
  });
  say(`wrote ${file}`);
}

main().catch((error: unknown) => {
  console.error(`benchmark failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
});
