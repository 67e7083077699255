import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IContainer } from 'kubernetes-models/v1/Container';
import { describe, expect, it } from 'vitest';
import { renderManifests, type KubeObject } from '../../cluster/manifest.js';
import { agentServesPath } from '../../support/agent-routes.js';
import { checkManifests } from '../../support/manifest-policy.js';

/** Each rule of the manifest policy, broken once on a copy of the rendered base: it must say what is wrong. */

const base = await renderManifests('k8s/base');
const servesPath = await agentServesPath();

function broken(edit: (containers: Record<string, IContainer>, objects: KubeObject[]) => void): string[] {
  const objects = structuredClone(base) as KubeObject[];
  const set = objects.find((object) => object.kind === 'StatefulSet') as KubeObject & IStatefulSet;
  const pod = set.spec?.template.spec;
  if (pod === undefined) throw new Error('no pod template');
  const containers = Object.fromEntries([...(pod.initContainers ?? []), ...pod.containers].map((container) => [container.name, container]));
  edit(containers, objects);
  return checkManifests({ objects, servesPath });
}

function sidecar(containers: Record<string, IContainer>): IContainer {
  const container = containers['agent'];
  if (container === undefined) throw new Error('no agent container');
  return container;
}

/** The base switched to a MySQL server of `line` (what the MySQL overlays do). */
function setMySql(containers: Record<string, IContainer>, line: string): void {
  if (containers['mysql']) containers['mysql'].image = `mysql:${line}`;
  for (const name of ['init', 'agent']) {
    for (const variable of containers[name]?.env ?? []) {
      if (variable.name === 'MYSQL_FLAVOR') variable.value = 'mysql';
      if (variable.name === 'MYSQL_VERSION') variable.value = line;
    }
  }
}

describe('the manifest policy', () => {
  it('passes the shipped base', () => {
    expect(checkManifests({ objects: base, servesPath })).toEqual([]);
  });

  it.each<[string, (containers: Record<string, IContainer>, objects: KubeObject[]) => void, RegExp]>([
    ['a missing probe', (c) => delete sidecar(c).readinessProbe, /agent: no readinessProbe/],
    ['a missing server liveness probe', (c) => delete c['mysql']?.livenessProbe, /mysql: no livenessProbe/],
    ['a probe path the agent does not serve', (c) => { sidecar(c).livenessProbe = { httpGet: { path: '/alive', port: 'http' } }; }, /livenessProbe path \/alive is not served/],
    ['a probe on the wrong port', (c) => { sidecar(c).startupProbe = { httpGet: { path: '/livez', port: 9090 } }; }, /startupProbe probes port 9090, the agent listens on 8080/],
    ['a port the agent does not listen on', (c) => { sidecar(c).ports?.push({ name: 'admin', containerPort: 9000 }); }, /declares port 9000/],
    ['an env variable the agent does not know', (c) => { sidecar(c).env?.push({ name: 'MYSQL_REPLICA_LAG', value: '5' }); }, /env MYSQL_REPLICA_LAG is not a setting the agent knows/],
    ['a privileged container', (c) => { sidecar(c).securityContext = { ...sidecar(c).securityContext, privileged: true }; }, /agent: privileged/],
    ['a writable root filesystem', (c) => { if (c['mysql']?.securityContext) c['mysql'].securityContext.readOnlyRootFilesystem = false; }, /mysql: root filesystem is not read-only/],
    ['kept capabilities', (c) => { if (c['init']?.securityContext) c['init'].securityContext.capabilities = { drop: ['NET_RAW'] }; }, /init: capabilities are not dropped/],
    ['a secret file outside any mount', (c) => { sidecar(c).volumeMounts = sidecar(c).volumeMounts?.filter((mount) => mount.name !== 'secrets'); }, /agent: CLONE_SECRET_FILE=\/etc\/mysql-sts-agent\/secrets\/clone-secret is not on a mounted volume/],
    ['a wrong sidecar command', (c) => { sidecar(c).args = ['init']; }, /agent: runs mysql-sts-agent init, expected mysql-sts-agent serve/],
    ['a server without the SQL port', (c) => { if (c['mysql']) c['mysql'].ports = []; }, /mysql: does not declare port 3306/],
    ['a mismatched backup tool', (c) => { sidecar(c).image = 'ghcr.io/mysql-sts-agent/mysql-sts-agent:0.1.0-xtrabackup-8.0'; }, /does not carry mariadb 10.11/],
    ['the CLONE plugin asked of MariaDB', (c) => { for (const name of ['init', 'agent']) c[name]?.env?.push({ name: 'CLONE_METHOD', value: 'clone-plugin' }); }, /CLONE_METHOD is invalid \(CLONE_METHOD=clone-plugin needs MySQL 8\.0\.17/],
    ['a plain agent image for the backup stream', (c) => { for (const name of ['init', 'agent']) if (c[name]) c[name].image = 'ghcr.io/mysql-sts-agent/mysql-sts-agent:0.1.0'; }, /does not carry mariadb 10.11/],
    ['a backup tool where MySQL clones with its plugin', (c) => {
      setMySql(c, '9.7');
      for (const name of ['init', 'agent']) if (c[name]) c[name].image = 'ghcr.io/mysql-sts-agent/mysql-sts-agent:0.1.0-xtrabackup-8.4';
    }, /carries a backup tool, but mysql:9.7 clones with the CLONE plugin: use the plain agent image/],
    ['a CLONE_METHOD only the sidecar has', (c) => { sidecar(c).env?.push({ name: 'CLONE_METHOD', value: 'backup-stream' }); }, /init: MYSQL_FLAVOR\/MYSQL_VERSION\/CLONE_METHOD differ from agent's/],
    ['a short startup budget for recovery', (c) => { if (c['mysql']?.startupProbe) c['mysql'].startupProbe.failureThreshold = 3; }, /mysql: startupProbe allows less than 10 minutes/],
    ['a Service that hides not-ready peers', (_c, objects) => {
      const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === 'mysql');
      (service?.['spec'] as { publishNotReadyAddresses: boolean }).publishNotReadyAddresses = false;
    }, /Service mysql does not publish not-ready addresses/],
    ['a Service without the SRV port name', (_c, objects) => {
      const service = objects.find((object) => object.kind === 'Service' && object.metadata.name === 'mysql');
      (service?.['spec'] as { ports: { name: string }[] }).ports.forEach((port) => { port.name = `x-${port.name}`; });
    }, /Service mysql has no port named mysql: no SRV records/],
  ])('reports %s', (_what, edit, expected) => {
    const problems = broken(edit);
    expect(problems).toContainEqual(expect.stringMatching(expected));
  });
});
