import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PodIdentity } from '../identity/identity.js';

/** Every metric name starts with this (ARCHITECTURE.md, "HTTP surface and metrics": `mysql_sts_<subsystem>_<name>_<unit>`). */
export const METRIC_PREFIX = 'mysql_sts_';

/**
 * prom-client defaults we do not export. The `_total` gauges break promtool
 * (the suffix is reserved for counters); the event-loop delay statistics and
 * the active-resource lists cost most of a scrape's CPU (about 0.6 of 0.76 ms
 * measured by `npm run bench`), and `nodejs_eventloop_lag_seconds` stays.
 */
const LEFT_OUT_DEFAULTS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
  'nodejs_active_resources',
  'nodejs_active_handles',
  'nodejs_active_requests',
  ...['min', 'max', 'mean', 'stddev', 'p50', 'p90', 'p99'].map((stat) => `nodejs_eventloop_lag_${stat}_seconds`),
];

/**
 * A registry per agent (no prom-client global state), with the default process
 * metrics and an info series that names the pod, its role and the agent version.
 */
export function createMetricsRegistry(input: { identity: PodIdentity; version: string }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  for (const name of LEFT_OUT_DEFAULTS) registry.removeSingleMetric(`${METRIC_PREFIX}${name}`);
  const info = new Gauge({
    name: `${METRIC_PREFIX}agent_info`,
    help: 'Constant 1, labelled with the pod, its role and the agent version.',
    labelNames: ['pod', 'role', 'version'] as const,
    registers: [registry],
  });
  info.set({ pod: input.identity.podName, role: input.identity.role, version: input.version }, 1);
  return registry;
}
