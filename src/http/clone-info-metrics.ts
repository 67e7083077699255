import { Gauge, type Registry } from 'prom-client';
import { METRIC_PREFIX } from './metrics.js';
import type { CloneInfo } from '../data-dir/clone-info.js';

/** The clone that made this pod's data dir, as recorded by init (absent when there was none). */
export function registerCloneMetrics(registry: Registry, info: CloneInfo | undefined): void {
  if (info === undefined) return;
  new Gauge({
    name: `${METRIC_PREFIX}clone_received_bytes`,
    help: 'Bytes of the backup stream this pod was cloned from.',
    registers: [registry],
  }).set(info.bytes);
  new Gauge({
    name: `${METRIC_PREFIX}clone_duration_seconds`,
    help: 'How long streaming the clone this pod was made from took.',
    registers: [registry],
  }).set(info.seconds);
  new Gauge({
    name: `${METRIC_PREFIX}clone_info`,
    help: 'Constant 1, labelled with the donor this pod was cloned from.',
    labelNames: ['donor'] as const,
    registers: [registry],
  }).set({ donor: info.donor }, 1);
}
