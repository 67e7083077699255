import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { startAgentPod } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import { REPO_ROOT } from '../cluster/manifest.js';

/**
 * The harness runs pods from what k8s/ declares, so a manifest that drifts from
 * the agent fails here the way it would fail in a cluster: each case is the
 * shipped overlay with one JSON patch on the StatefulSet.
 */

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** A kustomization inside the repository (kustomize wants relative paths) that patches the shipped overlay. */
function driftedOverlay(patch: object[]): string {
  const dir = mkdtempSync(join(REPO_ROOT, 'test', '.drift-'));
  dirs.push(dir);
  const lines = [
    'apiVersion: kustomize.config.k8s.io/v1beta1',
    'kind: Kustomization',
    `resources: [${relative(dir, join(REPO_ROOT, 'k8s/overlays/mariadb-10.11'))}]`,
    'patches:',
    '  - target: { kind: StatefulSet, name: mysql }',
    `    patch: '${JSON.stringify(patch)}'`,
  ];
  writeFileSync(join(dir, 'kustomization.yaml'), `${lines.join('\n')}\n`);
  return relative(REPO_ROOT, dir);
}

/** The harness waits out the sidecar's startup budget as the kubelet does (60 s as shipped); 10 s shows the same failure. */
const SHORT_STARTUP_BUDGET = { op: 'replace', path: '/spec/template/spec/containers/1/startupProbe/failureThreshold', value: 5 };

describe('a manifest that drifts from the agent fails the pod, with the reason', () => {
  let cluster: Cluster | undefined;
  afterEach(async () => {
    await cluster?.down();
    cluster = undefined;
  });

  it('a startup probe on a path the agent does not serve never passes', async () => {
    const overlay = driftedOverlay([{ op: 'replace', path: '/spec/template/spec/containers/1/startupProbe/httpGet/path', value: '/alive' }, SHORT_STARTUP_BUDGET]);
    cluster = await Cluster.create({ overlay });
    await expect(startAgentPod(cluster, 0)).rejects.toThrow(/mysql-0's agent startupProbe \(GET :8080\/alive\) to succeed/);
    // The agent itself is up: the same pod answers the path it does serve.
    expect((await cluster.pod(0).httpGet(8080, '/livez')).status).toBe(200);
  });

  it('a secret file the manifest does not mount stops the sidecar with one line naming the setting', async () => {
    const overlay = driftedOverlay([
      { op: 'test', path: '/spec/template/spec/containers/1/env/8/name', value: 'AGENT_PASSWORD_FILE' },
      { op: 'replace', path: '/spec/template/spec/containers/1/env/8/value', value: '/etc/mysql-sts-agent/secrets/agent-pasword' },
      SHORT_STARTUP_BUDGET,
    ]);
    cluster = await Cluster.create({ overlay });
    await expect(startAgentPod(cluster, 0)).rejects.toThrow(/startupProbe/);
    expect(readFileSync(join(cluster.pod(0).paths.logs, 'sidecar.log'), 'utf8')).toMatch(/AGENT_PASSWORD_FILE.*agent-pasword/);
  });
});
