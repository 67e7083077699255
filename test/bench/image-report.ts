import { formatTable } from '../../src/cli/table.js';
import type { ImageResults } from './image-section.js';
import type { SidecarIdle } from './image-sidecar.js';
import { IMAGE_TARGETS } from './image-sizes.js';
import { PROBE_TARGETS } from './probe-report.js';
import { mb } from './probes.js';
import { belowTarget, summaryRow, type SummaryRow } from './summary.js';

/** Each image's size, then its layers with content, oldest first. */
export function renderImageSizes(results: ImageResults): string {
  return formatTable(
    ['image', 'layer (Dockerfile step)', 'MB'],
    results.sizes.flatMap((size) => [
      [`${size.reference} (${size.id})`, 'whole image', mb(size.bytes)],
      ...size.layers.map((layer) => ['', layer.step, mb(layer.bytes)]),
    ]),
  );
}

export function renderSidecarIdle(results: ImageResults): string {
  return formatTable(
    ['pod', 'sidecar', 'role', 'ready', 'RSS MB', 'anon MB', 'file MB', 'threads', '/healthz p50 ms', 'p99 ms', 'max ms'],
    results.sidecars.map((s) => [s.pod, s.where, s.role, s.ready ? 'yes' : 'NO', mb(s.rssBytes), mb(s.rssAnonBytes), mb(s.rssFileBytes), String(s.threads), s.healthzMs.p50.toFixed(3), s.healthzMs.p99.toFixed(3), s.healthzMs.max.toFixed(3)]),
  );
}

export function imageDetails(results: ImageResults): string[] {
  return [
    'images: uncompressed size (podman image inspect) and the layers with content (podman history)',
    renderImageSizes(results),
    '',
    `sidecar idle ${results.idleAfterSeconds} s after start: in the MariaDB image (a container in the pod's network namespace) and on the host (the baseline), same pod, same server; ` +
      `RSS split into anonymous (heap, stacks, buffers) and file-backed (node's binary and libraries) pages; then 200 sequential /healthz on fresh connections from inside the pod`,
    renderSidecarIdle(results),
    '',
  ];
}

function sizeRows(results: ImageResults): SummaryRow[] {
  const section = 'image';
  const bytesOf = (flavour: string) => results.sizes.find((size) => size.flavour === flavour)?.bytes ?? Number.NaN;
  const mariadb = bytesOf('mariadb') / 1e6;
  const plain = bytesOf('plain') / 1e6;
  return [
    summaryRow({ section, name: 'MariaDB image size', value: mariadb, unit: 'MB', target: { text: `≤ ${IMAGE_TARGETS.maxMariadbImageMb} MB`, met: mariadb <= IMAGE_TARGETS.maxMariadbImageMb } }),
    summaryRow({ section, name: 'plain image size', value: plain, unit: 'MB', baseline: { name: 'MariaDB image', value: mariadb }, target: { text: 'smallest image', met: plain < mariadb } }),
  ];
}

function sidecarRows(results: ImageResults): SummaryRow[] {
  const section = 'image';
  const rows: SummaryRow[] = [];
  const inImage = results.sidecars.filter((s) => s.where === 'image');
  for (const image of inImage) {
    const host: SidecarIdle | undefined = results.sidecars.find((s) => s.where === 'host' && s.pod === image.pod);
    const rss = image.rssBytes / 1e6;
    const what = `${image.pod} (${image.role})`;
    rows.push(
      summaryRow({
        section,
        name: `idle RSS ${results.idleAfterSeconds} s after start, in the image, ${what}`,
        value: rss,
        unit: 'MB',
        ...(host && { baseline: { name: 'host sidecar', value: host.rssBytes / 1e6 } }),
        target: belowTarget(rss, PROBE_TARGETS.maxIdleRssMb, 'MB'),
      }),
      summaryRow({ section, name: `/healthz p99 (sequential, idle), in the image, ${what}`, value: image.healthzMs.p99, unit: 'ms', ...(host && { baseline: { name: 'host sidecar', value: host.healthzMs.p99 } }) }),
    );
  }
  return rows;
}

export function imageRows(results: ImageResults): SummaryRow[] {
  return [...sizeRows(results), ...sidecarRows(results)];
}
