import { Counter, Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from '../../http/metrics.js';

/** What the donor side of the clone exports (ARCHITECTURE.md, "HTTP surface and metrics": clone bytes, in-progress, served). */
export interface DonorMetrics {
  readonly served: Counter<'result'>;
  readonly servedBytes: Counter;
  readonly serving: Gauge;
  readonly rejected: Counter<'reason'>;
}

/** Every label value, exported at 0 from the start: `increase()` cannot see a series' first increment. */
const RESULTS = ['ok', 'failed', 'aborted'] as const;
const REJECT_REASONS = ['unauthorized', 'busy', 'shutting_down'] as const;

export function createDonorMetrics(registry: Registry): DonorMetrics {
  const metrics: DonorMetrics = {
    served: new Counter({
      name: `${METRIC_PREFIX}clone_served_total`,
      help: 'Backups this pod streamed to a peer, by result (ok, failed, aborted).',
      labelNames: ['result'] as const,
      registers: [registry],
    }),
    servedBytes: new Counter({
      name: `${METRIC_PREFIX}clone_served_bytes_total`,
      help: 'Bytes of backup stream sent to peers.',
      registers: [registry],
    }),
    serving: new Gauge({
      name: `${METRIC_PREFIX}clone_serving`,
      help: '1 while this pod streams a backup to a peer.',
      registers: [registry],
    }),
    rejected: new Counter({
      name: `${METRIC_PREFIX}clone_requests_rejected_total`,
      help: 'Clone requests refused, by reason (unauthorized, busy, shutting_down).',
      labelNames: ['reason'] as const,
      registers: [registry],
    }),
  };
  for (const result of RESULTS) metrics.served.inc({ result }, 0);
  for (const reason of REJECT_REASONS) metrics.rejected.inc({ reason }, 0);
  return metrics;
}
