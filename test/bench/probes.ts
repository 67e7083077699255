import { setTimeout as sleep } from 'node:timers/promises';
import { startAgentPod } from '../cluster/agent.js';
import type { Cluster, ManagedProcess, Pod } from '../cluster/index.js';
import { elapsedSince } from './clock.js';
import { measureIdle, sidecarPid, type IdleFootprint } from './probe-idle.js';
import { runLoadWindow, type LoadSettings, type LoadWindow } from './probe-load.js';
import { bareServerScript, EXTRA_CLONE_PORT, EXTRA_HTTP_PORT, measureStart, type StartResult } from './probe-start.js';
import { readProc } from './proc.js';

/**
 * The sidecar as the kubelet and Prometheus see it: probe and scrape latency
 * under a steady request rate, the SQL those requests cost the server (ARCHITECTURE.md,
 * "Lag and readiness": none), what an idle sidecar costs, and how soon a new one answers
 * its liveness probe. A bare node HTTP server in the same pod is measured
 * alongside: node's own floor, and a check of the generator and the SQL count
 * (it runs no SQL, so its SQL/request is the method's noise).
 */

/** The bare node server that runs beside the sidecar during the section (the start-up baseline uses 18081). */
const BARE_PORT = 18082;

export interface ProbeSettings extends LoadSettings {
  /** Seconds of the idle footprint window. */
  readonly idleSeconds: number;
  /** Seconds between the replica turning Ready and the first measurement. */
  readonly settleSeconds: number;
  /** Start-up runs per subject (agent, bare node server). */
  readonly startRuns: number;
}

export const DEFAULT_PROBE_SETTINGS: Omit<ProbeSettings, 'rate' | 'seconds'> = { warmupSeconds: 1, idleSeconds: 10, settleSeconds: 5, startRuns: 5 };
/** BENCH_SMOKE's: each window and run count at the least that still yields its numbers. */
export const SMOKE_PROBE_SETTINGS: Omit<ProbeSettings, 'rate' | 'seconds'> = { warmupSeconds: 1, idleSeconds: 1, settleSeconds: 1, startRuns: 1 };

export interface ProbeResults {
  readonly settings: ProbeSettings;
  /** The pod whose sidecar took the load (a replica), and how long it took to bring up. */
  readonly replica: string;
  readonly replicaStartSeconds: number;
  readonly idle: readonly IdleFootprint[];
  /** /readyz, the bare node server, /metrics: in that order (the /metrics window may saturate the sidecar, so it goes last). */
  readonly loads: readonly LoadWindow[];
  /** The replica sidecar's RSS right after the load windows (not a target: for comparison with idle). */
  readonly rssAfterLoadBytes: number;
  readonly start: StartResult;
}

/** Runs on a cluster whose mysql-0 is up with its sidecar; brings up mysql-1 as a replica (or reuses its cloned volume). */
export async function runProbeSection(input: { cluster: Cluster; primary: Pod; settings: ProbeSettings; say: (line: string) => void }): Promise<ProbeResults> {
  const { cluster, primary, settings, say } = input;
  say('');
  say('sidecar probes: bringing up mysql-1 as a replica (init, mariadbd, sidecar; until /readyz is 200)');
  const started = process.hrtime.bigint();
  const replica = await startAgentPod(cluster, 1);
  const replicaStartSeconds = elapsedSince(started);
  const bare = replica.spawn('node', ['-e', bareServerScript(BARE_PORT)], { label: 'bench-bare-node' });
  try {
    say(`  ${replica.name} Ready after ${replicaStartSeconds.toFixed(1)} s; settling ${settings.settleSeconds} s (a bare node HTTP server starts beside it, port ${BARE_PORT})`);
    await sleep(settings.settleSeconds * 1000);
    if (!bare.alive) throw new Error(`the bare node server in ${replica.name} exited; see ${bare.record.logFile}`);

    const pid = sidecarPid(replica);
    const idle = await measureIdleFootprints({ replica, primary, bare, seconds: settings.idleSeconds, say });
    const loads: LoadWindow[] = [];
    const plan: { target: LoadWindow['target']; path: string; port?: number; serverPid: number }[] = [
      { target: 'sidecar', path: '/readyz', serverPid: pid },
      { target: 'bare node', path: '/readyz', port: BARE_PORT, serverPid: bare.pid },
      { target: 'sidecar', path: '/metrics', serverPid: pid },
    ];
    for (const step of plan) {
      say(`  ${step.target} ${step.path}: ${settings.rate} req/s open loop, ${settings.warmupSeconds} s warm-up + ${settings.seconds} s, from inside ${replica.name}; then an idle window as long`);
      const window = await runLoadWindow({ pod: replica, settings, ...step });
      loads.push(window);
      describeWindow(window, say);
    }
    const rssAfterLoadBytes = readProc(pid).rssBytes;
    say(`    ${replica.name} sidecar RSS after the load: ${mb(rssAfterLoadBytes)} MB`);

    say(
      `  start to first /healthz answer: an extra \`mysql-sts-agent serve\` in ${replica.name} (HTTP ${EXTRA_HTTP_PORT}, clone ${EXTRA_CLONE_PORT}) ` +
        `vs a bare node HTTP server, ${settings.startRuns} runs each, polled every 5 ms from inside the pod`,
    );
    const start = await measureStart({ cluster, pod: replica, runs: settings.startRuns });
    for (const key of ['agent', 'baseline'] as const) {
      say(`    ${key}: ${start.runs.filter((run) => run.key === key).map((run) => (run.seconds ?? Number.NaN).toFixed(3)).join(', ')} s`);
    }
    if (start.agentServingLogMedianSeconds !== undefined) say(`    the agent's "serving" log line: median ${start.agentServingLogMedianSeconds.toFixed(3)} s after spawn`);
    return { settings, replica: replica.name, replicaStartSeconds, idle, loads, rssAfterLoadBytes, start };
  } finally {
    await bare.stop(5_000);
  }
}

async function measureIdleFootprints(input: { replica: Pod; primary: Pod; bare: ManagedProcess; seconds: number; say: (line: string) => void }): Promise<IdleFootprint[]> {
  const { replica, primary, bare, seconds, say } = input;
  say(`  idle footprint over ${seconds} s (no requests)`);
  const idle = await measureIdle(
    [
      { name: `${replica.name} sidecar`, pid: sidecarPid(replica) },
      { name: `${primary.name} sidecar`, pid: sidecarPid(primary) },
      { name: 'bare node http server', pid: bare.pid },
    ],
    seconds,
  );
  for (const f of idle) {
    say(`    ${f.name}: RSS ${mb(f.rssEndBytes)} MB (max ${mb(f.rssMaxBytes)}, anon ${mb(f.rssAnonEndBytes)}, peak since start ${mb(f.peakRssBytes)}), CPU ${(f.cpuShare * 100).toFixed(2)} % of a core`);
  }
  return idle;
}

function describeWindow(window: LoadWindow, say: (line: string) => void): void {
  const g = window.generator;
  const errors = Object.keys(g.errors).length > 0 ? `, errors ${JSON.stringify(g.errors)}` : '';
  say(
    `    p50 ${g.latencyFromDueMs.p50} ms, p99 ${g.latencyFromDueMs.p99} ms, max ${g.latencyFromDueMs.max} ms from the due time ` +
      `(from send: p50 ${g.latencyFromSendMs.p50}, p99 ${g.latencyFromSendMs.p99}; generator send lag p99 ${g.sendLagMs.p99} ms); ` +
      `statuses ${JSON.stringify(g.statuses)}${errors}; ${g.newSockets} sockets; ${window.answeredPerSecond.toFixed(0)} answered/s`,
  );
  say(
    `    SQL: ${window.sql.underLoad} statements in ${window.sql.loadSeconds.toFixed(1)} s under load, ${window.sql.idle} in ${window.sql.idleSeconds.toFixed(1)} s idle: ` +
      `${window.sql.perRequest.toFixed(4)} per request; server CPU ${(window.serverCpuShare * 100).toFixed(0)} % of a core, ${window.serverCpuMicrosPerRequest.toFixed(0)} µs per request`,
  );
  const note = loopStarvedNote(window);
  if (note !== undefined) say(`    ${note}`);
}

/**
 * Fewer statements under load than idle means the sidecar's once-a-second
 * checks fell behind: its event loop was too busy answering to run them.
 */
export function loopStarvedNote(window: LoadWindow): string | undefined {
  const { sql } = window;
  if (window.target !== 'sidecar' || sql.underLoad >= sql.idle * 0.8) return undefined;
  const share = 1 - sql.underLoad / (sql.idle * (sql.loadSeconds / sql.idleSeconds));
  return `${window.path}: ${sql.underLoad} statements under load against ${sql.idle} idle: about ${Math.round(share * 100)} % of the control loop's checks did not run while the sidecar was busy answering`;
}

export function mb(bytes: number): string {
  return (bytes / 1e6).toFixed(1);
}
