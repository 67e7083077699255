import { describe, expect, it } from 'vitest';
import { imageRows, renderSidecarIdle } from '../../bench/image-report.js';
import type { ImageResults } from '../../bench/image-section.js';
import type { SidecarIdle } from '../../bench/image-sidecar.js';
import { layerStep } from '../../bench/image-sizes.js';

// The image section's rows and tables from made-up measurements: which
// targets it judges and against which same-run baseline, without podman.

function sidecar(pod: string, where: SidecarIdle['where'], rssMb: number, p99: number): SidecarIdle {
  const role = pod === 'mysql-0' ? 'primary' : 'replica';
  return {
    pod,
    where,
    role,
    ready: where === 'host',
    rssBytes: rssMb * 1e6,
    rssAnonBytes: 20e6,
    rssFileBytes: rssMb * 1e6 - 20e6,
    threads: 11,
    command: 'node /app/dist/main.js serve',
    healthzMs: { count: 200, statuses: { '200': 200 }, p50: 1, p99, max: p99 * 2 },
  };
}

function results(mariadbMb: number, plainMb: number): ImageResults {
  const size = (flavour: 'mariadb' | 'plain', mb: number) => ({
    flavour,
    reference: `localhost/mysql-sts-agent:${flavour}`,
    id: 'abc',
    bytes: mb * 1e6,
    layers: [{ step: 'COPY dir in /', bytes: mb * 1e6 }],
    built: false,
  });
  return {
    idleAfterSeconds: 30,
    sizes: [size('mariadb', mariadbMb), size('plain', plainMb)],
    sidecars: [sidecar('mysql-0', 'image', 59, 2), sidecar('mysql-0', 'host', 80, 4), sidecar('mysql-1', 'image', 61, 3), sidecar('mysql-1', 'host', 82, 5)],
  };
}

describe('image section rows', () => {
  it('judges the MariaDB image against 200 MB and the plain one against it', () => {
    const [mariadb, plain] = imageRows(results(201, 120));
    expect(mariadb).toMatchObject({ name: 'MariaDB image size', value: 201, unit: 'MB', target: { text: '≤ 200 MB', met: false } });
    expect(plain).toMatchObject({ name: 'plain image size', value: 120, baseline: { name: 'MariaDB image', value: 201 }, target: { met: true } });
    expect(imageRows(results(150, 160))[1]?.target?.met).toBe(false);
  });

  it('puts each pod\'s image sidecar against the host sidecar of the same pod, and RSS against < 60 MB', () => {
    const rows = imageRows(results(150, 120)).filter((row) => row.name.startsWith('idle RSS'));
    expect(rows.map((row) => [row.name, row.value, row.baseline?.value, row.target?.met])).toEqual([
      ['idle RSS 30 s after start, in the image, mysql-0 (primary)', 59, 80, true],
      ['idle RSS 30 s after start, in the image, mysql-1 (replica)', 61, 82, false],
    ]);
    const latency = imageRows(results(150, 120)).filter((row) => row.name.startsWith('/healthz'));
    expect(latency.map((row) => [row.value, row.baseline?.value, row.target])).toEqual([
      [2, 4, null],
      [3, 5, null],
    ]);
  });

  it('shows a sidecar that was not Ready', () => {
    const table = renderSidecarIdle(results(150, 120));
    expect(table.split('\n').filter((line) => / NO /.test(line))).toHaveLength(2);
  });
});

describe('layerStep', () => {
  it('drops the shell prefix and the content digests of COPY steps', () => {
    const digest = 'a'.repeat(64);
    expect(layerStep(`/bin/sh -c #(nop) COPY dir:${digest} in ./node_modules `)).toBe('COPY dir in ./node_modules');
    expect(layerStep(`/bin/sh -c #(nop) COPY file:${digest} in ./package.json`)).toBe('COPY file in ./package.json');
  });
});
