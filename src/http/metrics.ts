import { Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import type { PodIdentity } from '../identity/identity.js';

/** Every metric name starts with this (DESIGN section 5: `mysql_sts_<subsystem>_<name>_<unit>`). */
export const METRIC_PREFIX = 'mysql_sts_';

/**
 * A registry per agent (no prom-client global state), with the default process
 * metrics and an info series that names the pod, its role and the agent version.
 */
export function createMetricsRegistry(input: { identity: PodIdentity; version: string }): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: METRIC_PREFIX });
  // prom-client names these gauges `_total`, a suffix reserved for counters: promtool rejects them.
  for (const name of ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total']) {
    registry.removeSingleMetric(`${METRIC_PREFIX}${name}`);
  }
  const info = new Gauge({
    name: `${METRIC_PREFIX}agent_info`,
    help: 'Constant 1, labelled with the pod, its role and the agent version.',
    labelNames: ['pod', 'role', 'version'] as const,
    registers: [registry],
  });
  info.set({ pod: input.identity.podName, role: input.identity.role, version: input.version }, 1);
  return registry;
}
