import { formatTable } from '../../src/cli/table.js';
import { mb, type ProbeResults } from './probes.js';

/** The sidecar's targets (ARCHITECTURE.md, "Lag and readiness", and the benchmark brief). */
export const PROBE_TARGETS = {
  /** Statements per probe or scrape beyond the idle rate: "no SQL per request", with room for the loop's own jitter. */
  maxSqlPerRequest: 0.01,
  maxIdleRssMb: 60,
  maxStartSeconds: 0.5,
  /** p99 of /readyz and /metrics at the load rate, from each request's due time. */
  maxP99Ms: 5,
} as const;

const ms = (value: number | null) => (value === null ? '-' : value.toFixed(3));

/** Latency (from the due time: stalls included), errors and SQL per path. */
export function renderLoadTable(results: ProbeResults): string {
  return formatTable(
    ['server', 'path', 'requests', 'non-200', 'answered/s', 'p50 ms', 'p99 ms', 'p99.9 ms', 'max ms', 'p99 from send', 'gen. lag p99', 'SQL/request', 'server CPU', 'µs CPU/req'],
    results.loads.map((load) => {
      const g = load.generator;
      const ok = g.statuses['200'] ?? 0;
      return [
        load.target,
        load.path,
        String(g.requests),
        String(g.requests - ok),
        load.answeredPerSecond.toFixed(0),
        ms(g.latencyFromDueMs.p50),
        ms(g.latencyFromDueMs.p99),
        ms(g.latencyFromDueMs.p999),
        ms(g.latencyFromDueMs.max),
        ms(g.latencyFromSendMs.p99),
        ms(g.sendLagMs.p99),
        load.sql.perRequest.toFixed(4),
        `${(load.serverCpuShare * 100).toFixed(0)} %`,
        load.serverCpuMicrosPerRequest.toFixed(0),
      ];
    }),
  );
}

export function renderIdleTable(results: ProbeResults): string {
  return formatTable(
    ['process', 'RSS MB (max)', 'RSS anon MB', 'peak since start MB', 'CPU % of a core', 'threads', 'window s'],
    results.idle.map((f) => [f.name, mb(f.rssMaxBytes), mb(f.rssAnonEndBytes), mb(f.peakRssBytes), (f.cpuShare * 100).toFixed(2), String(f.threads), f.windowSeconds.toFixed(1)]),
  );
}

export function renderStartTable(results: ProbeResults): string {
  const { start } = results;
  const row = (key: 'agent' | 'baseline', label: string, medianSeconds: number) => {
    const runs = start.runs.filter((run) => run.key === key);
    return [label, runs.map((run) => (run.seconds ?? Number.NaN).toFixed(3)).join(', '), medianSeconds.toFixed(3)];
  };
  return formatTable(
    ['start to first /healthz answer', 'runs (s)', 'median s'],
    [row('agent', 'mysql-sts-agent serve', start.agentMedianSeconds), row('baseline', 'bare node http server', start.baselineMedianSeconds)],
  );
}
