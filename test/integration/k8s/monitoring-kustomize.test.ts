import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { execa } from 'execa';
import { parseAllDocuments, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMPONENT_DIR, readPrometheusRule } from './monitoring-assets.js';

interface Resource {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly namespace?: string; readonly labels?: Record<string, string> };
  readonly spec?: Record<string, unknown>;
  readonly data?: Record<string, string>;
}

interface ServicePort {
  readonly name: string;
  readonly port: number;
  readonly targetPort?: number | string;
}

interface ServiceMonitorSpec {
  readonly jobLabel?: string;
  readonly selector: { readonly matchLabels: Record<string, string> };
  readonly endpoints: readonly { readonly port: string; readonly path: string; readonly interval: string }[];
}

/**
 * The headless Service the component expects from the base (k8s/base is
 * written elsewhere): the labels the ServiceMonitor selects and a `metrics`
 * port for the sidecar's HTTP_PORT.
 */
const SERVICE = {
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name: 'mysql', labels: { 'app.kubernetes.io/name': 'mysql', 'app.kubernetes.io/component': 'peers' } },
  spec: {
    clusterIP: 'None',
    publishNotReadyAddresses: true,
    selector: { 'app.kubernetes.io/name': 'mysql' },
    ports: [
      { name: 'mysql', port: 3306 },
      { name: 'metrics', port: 8080, targetPort: 8080 },
    ],
  },
};

const dir = mkdtempSync(join(tmpdir(), 'msa-kustomize-'));
let resources: Resource[] = [];

function one(kind: string): Resource {
  const found = resources.filter((resource) => resource.kind === kind);
  expect(found, kind).toHaveLength(1);
  return found[0] as Resource;
}

beforeAll(async () => {
  // An overlay the way a user writes one; kustomize wants the component's path relative.
  writeFileSync(join(dir, 'service.yaml'), stringify(SERVICE));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    stringify({
      apiVersion: 'kustomize.config.k8s.io/v1beta1',
      kind: 'Kustomization',
      namespace: 'db',
      resources: ['service.yaml'],
      components: [relative(dir, COMPONENT_DIR)],
    }),
  );
  const rendered = await execa('kubectl', ['kustomize', dir], { timeout: 60_000 });
  resources = parseAllDocuments(rendered.stdout).map((document) => document.toJSON() as Resource);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('kustomize component k8s/components/monitoring', () => {
  it('is a Component, and an overlay listing it under components: yields the ServiceMonitor, the PrometheusRule and the dashboard ConfigMap', () => {
    const kustomization = parseAllDocuments(readFileSync(join(COMPONENT_DIR, 'kustomization.yaml'), 'utf8'))[0]?.toJSON() as Resource;
    expect(kustomization).toMatchObject({ apiVersion: 'kustomize.config.k8s.io/v1alpha1', kind: 'Component' });
    expect(resources.map((resource) => `${resource.kind}/${resource.metadata.name}`).sort()).toEqual([
      'ConfigMap/mysql-sts-agent-dashboard',
      'PrometheusRule/mysql-sts-agent',
      'Service/mysql',
      'ServiceMonitor/mysql',
    ]);
    for (const resource of resources) expect(resource.metadata.namespace, resource.kind).toBe('db');
    expect(one('ServiceMonitor').apiVersion).toBe('monitoring.coreos.com/v1');
  });

  it("the ServiceMonitor selects the headless Service and scrapes its metrics port (targetPort 8080) at /metrics every 15s", () => {
    const spec = one('ServiceMonitor').spec as unknown as ServiceMonitorSpec;
    const service = one('Service');
    expect(spec.selector.matchLabels).toEqual({ 'app.kubernetes.io/name': 'mysql', 'app.kubernetes.io/component': 'peers' });
    expect(service.metadata.labels).toMatchObject(spec.selector.matchLabels);
    expect(spec.endpoints).toEqual([{ port: 'metrics', path: '/metrics', interval: '15s', scheme: 'http' }]);
    const ports = (service.spec?.ports ?? []) as ServicePort[];
    expect(ports.find((port) => port.name === spec.endpoints[0]?.port)?.targetPort).toBe(8080);
    // The rules select up{job="mysql"}: the job comes from the Service's name label, not its (prefixable) name.
    expect(service.metadata.labels?.[spec.jobLabel ?? '']).toBe('mysql');
  });

  it('ships the PrometheusRule unchanged (the one the rule tests extract) and the dashboard JSON under the sidecar label', () => {
    expect(one('PrometheusRule').spec).toEqual(readPrometheusRule().spec);
    const configMap = one('ConfigMap');
    expect(configMap.metadata.labels).toEqual({ grafana_dashboard: '1' });
    expect(Object.keys(configMap.data ?? {})).toEqual(['grafana-dashboard.json']);
    const shipped = configMap.data?.['grafana-dashboard.json'] ?? '';
    expect(shipped).toBe(readFileSync(join(COMPONENT_DIR, 'grafana-dashboard.json'), 'utf8'));
    expect((JSON.parse(shipped) as { uid: string }).uid).toBe('mysql-sts-agent');
  });
});
