import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findObject, renderManifests, REPO_ROOT, type KubeObject } from '../../cluster/manifest.js';
import { agentServesPath } from '../../support/agent-routes.js';
import { schemaErrors } from '../../support/kube-schemas.js';
import { checkManifests } from '../../support/manifest-policy.js';

/**
 * What `kubectl apply -k` would send, rendered for real by kubectl's kustomize:
 * every overlay renders, every object validates against the Kubernetes schemas,
 * and the pod template agrees with the agent (commands, settings, ports, probe
 * paths the real HTTP app serves, security).
 */

const OVERLAYS = ['k8s/overlays/mariadb-10.11', 'k8s/overlays/mariadb-10.11-parallel', 'k8s/overlays/mysql-8.0', 'k8s/overlays/mysql-8.4', 'k8s/overlays/mysql-9.7'];

const servesPath = await agentServesPath();

const rendered = new Map<string, KubeObject[]>();
for (const overlay of ['k8s/base', ...OVERLAYS]) rendered.set(overlay, await renderManifests(overlay));
const objectsOf = (overlay: string): KubeObject[] => rendered.get(overlay) ?? [];

/** An overlay the way the README tells users to add a component to one (kustomize wants relative paths). */
async function renderWithComponent(overlay: string, component: string): Promise<KubeObject[]> {
  const dir = mkdtempSync(join(tmpdir(), 'msa-component-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    [
      'apiVersion: kustomize.config.k8s.io/v1beta1',
      'kind: Kustomization',
      `resources: [${relative(dir, join(REPO_ROOT, overlay))}]`,
      `components: [${relative(dir, join(REPO_ROOT, component))}]`,
    ].join('\n'),
  );
  return renderManifests(dir);
}

const monitored = await renderWithComponent('k8s/overlays/mariadb-10.11', 'k8s/components/monitoring');
// The parallel component on a MySQL overlay, as README's "Parallel start" tells users to add it.
const parallelMysql = await renderWithComponent('k8s/overlays/mysql-9.7', 'k8s/components/parallel');

describe.each(['k8s/base', ...OVERLAYS])('%s', (overlay) => {
  it('renders the StatefulSet, the three Services, the Secret, the PDB and the NetworkPolicy', () => {
    const kinds = objectsOf(overlay).map((object) => `${object.kind}/${object.metadata.name}`).sort();
    expect(kinds).toEqual([
      'NetworkPolicy/mysql',
      'PodDisruptionBudget/mysql',
      'Secret/mysql-credentials',
      'Service/mysql',
      'Service/mysql-primary',
      'Service/mysql-read',
      'StatefulSet/mysql',
    ]);
  });

  it('validates against the Kubernetes schemas', () => {
    expect(objectsOf(overlay).flatMap(schemaErrors)).toEqual([]);
  });

  it('agrees with the agent: commands, settings, ports, probes, security, images', () => {
    expect(checkManifests({ objects: objectsOf(overlay), servesPath })).toEqual([]);
  });
});

describe('an overlay with the monitoring component', () => {
  it('validates against the Kubernetes and prometheus-operator schemas', () => {
    expect(monitored.map((object) => object.kind).sort()).toEqual([
      'ConfigMap', 'NetworkPolicy', 'PodDisruptionBudget', 'PrometheusRule', 'Secret', 'Service', 'Service', 'Service', 'ServiceMonitor', 'StatefulSet',
    ]);
    expect(monitored.flatMap(schemaErrors)).toEqual([]);
  });

  it('scrapes exactly the headless Service, on a port that reaches the agent', () => {
    const monitor = findObject(monitored, 'ServiceMonitor') as KubeObject & {
      spec: { selector: { matchLabels: Record<string, string> }; endpoints: { port: string; path: string }[] };
    };
    const selected = monitored.filter(
      (object) =>
        object.kind === 'Service' &&
        Object.entries(monitor.spec.selector.matchLabels).every(([key, value]) => object.metadata.labels?.[key] === value),
    );
    expect(selected.map((service) => service.metadata.name)).toEqual(['mysql']);
    const ports = (selected[0]?.['spec'] as { ports: { name: string; port: number; targetPort: string }[] }).ports;
    expect(monitor.spec.endpoints.map((endpoint) => [endpoint.port, endpoint.path])).toEqual([['metrics', '/metrics']]);
    expect(ports.find((port) => port.name === 'metrics')).toEqual({ name: 'metrics', port: 8080, targetPort: 'http' });
  });
});

describe('the overlays differ only where the server does', () => {
  it('MySQL overlays run the mysql image, the plain agent image (CLONE plugin) or XtraBackup on 8.0, and MySQL config syntax', () => {
    for (const [overlay, server, agent, version] of [
      ['k8s/overlays/mysql-8.0', 'mysql:8.0', '0.1.0-xtrabackup-8.0', '8.0.26'],
      ['k8s/overlays/mysql-8.4', 'mysql:8.4', '0.1.0', '8.4'],
      ['k8s/overlays/mysql-9.7', 'mysql:9.7', '0.1.0', '9.7'],
    ] as const) {
      const text = JSON.stringify(findObject(objectsOf(overlay), 'StatefulSet'));
      expect(text).toContain(`"image":"${server}"`);
      expect(text).toContain(`mysql-sts-agent:${agent}"`);
      expect(text).toContain(`{"name":"MYSQL_VERSION","value":"${version}"}`);
      expect(text).toContain('"command":["mysqladmin","ping"]');
      expect(text).not.toContain('mariadb');
      expect(text.includes('{"name":"CLONE_METHOD","value":"backup-stream"}')).toBe(overlay.endsWith('8.0'));
    }
  });
});

describe('the parallel component changes the pod management policy and nothing else', () => {
  const withoutPolicy = (objects: readonly KubeObject[]) =>
    objects.map((object) => (object.kind === 'StatefulSet' ? { ...object, spec: { ...(object.spec as object), podManagementPolicy: undefined } } : object));
  const policyOf = (objects: readonly KubeObject[]) => (findObject(objects, 'StatefulSet').spec as { podManagementPolicy?: string }).podManagementPolicy;

  it('k8s/overlays/mariadb-10.11-parallel is mariadb-10.11 with podManagementPolicy: Parallel', () => {
    expect(policyOf(objectsOf('k8s/overlays/mariadb-10.11'))).toBe('OrderedReady');
    expect(policyOf(objectsOf('k8s/overlays/mariadb-10.11-parallel'))).toBe('Parallel');
    expect(withoutPolicy(objectsOf('k8s/overlays/mariadb-10.11-parallel'))).toEqual(withoutPolicy(objectsOf('k8s/overlays/mariadb-10.11')));
  });

  it('on a MySQL overlay too, and the result validates and agrees with the agent', () => {
    expect(policyOf(parallelMysql)).toBe('Parallel');
    expect(withoutPolicy(parallelMysql)).toEqual(withoutPolicy(objectsOf('k8s/overlays/mysql-9.7')));
    expect(parallelMysql.flatMap(schemaErrors)).toEqual([]);
    expect(checkManifests({ objects: parallelMysql, servesPath })).toEqual([]);
  });
});

describe('the checks can fail', () => {
  it('a schema violation is reported with its path', () => {
    const service = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'bad' }, spec: { ports: [{ port: 'three' }] } };
    expect(schemaErrors(service)).toEqual([expect.stringMatching(/^Service\/bad: .*ports\/0\/port must be integer/)]);
  });

  it('an object of a kind without a schema is an error, not a pass', () => {
    expect(schemaErrors({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } })).toEqual([
      'Widget/w: no schema for example.com/v1 Widget',
    ]);
  });

  it('a probe path the agent does not serve is caught by the real HTTP app', () => {
    expect(servesPath('/livez')).toBe(true);
    expect(servesPath('/health')).toBe(false);
  });
});
