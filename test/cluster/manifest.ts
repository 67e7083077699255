import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { parseAllDocuments } from 'yaml';
import type { IStatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSpec } from 'kubernetes-models/v1/PodSpec';

/**
 * What `k8s/` declares, rendered the way `kubectl apply -k` renders it. The
 * harness runs its pods from this (containers' commands, environment, mounts,
 * probes), so a drift between the manifests and the agent fails a test.
 */

export const REPO_ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const DEFAULT_OVERLAY = 'k8s/overlays/mariadb-10.11';

export interface KubeObject {
  readonly apiVersion: string;
  readonly kind: string;
  readonly metadata: { readonly name: string; readonly labels?: Record<string, string> };
  readonly [field: string]: unknown;
}

/** `kubectl kustomize <dir>` (relative to the repository), parsed; throws with kubectl's message when it fails. */
export async function renderManifests(dir: string): Promise<KubeObject[]> {
  const result = await execa('kubectl', ['kustomize', dir], { cwd: REPO_ROOT, reject: false });
  if (result.exitCode !== 0) throw new Error(`failed to render ${dir} with kubectl kustomize: ${result.stderr.trim()}`);
  return parseAllDocuments(result.stdout).map((document, index) => {
    if (document.errors.length > 0) throw new Error(`failed to parse object ${index} rendered from ${dir}: ${document.errors[0]?.message}`);
    return document.toJS() as KubeObject;
  });
}

export function findObject<T extends KubeObject = KubeObject>(objects: readonly KubeObject[], kind: string, name?: string): T {
  const found = objects.filter((object) => object.kind === kind && (name === undefined || object.metadata.name === name));
  if (found.length !== 1) throw new Error(`expected exactly one ${kind}${name === undefined ? '' : ` named ${name}`} in the rendered manifests, found ${found.length}`);
  return found[0] as T;
}

/** The StatefulSet's pod template, with the Secrets it may refer to. */
export interface Workload {
  readonly name: string;
  readonly serviceName: string;
  readonly pod: IPodSpec;
  /** Secret name → its keys (values are the harness's own, never the examples in the manifests). */
  readonly secrets: ReadonlyMap<string, readonly string[]>;
  /** Name of the volume claim template (the pod's persistent volume). */
  readonly claimName: string;
  /** How the StatefulSet controller starts pods: one after the other (the default) or all at once. */
  readonly podManagementPolicy: 'OrderedReady' | 'Parallel';
}

export function readWorkload(objects: readonly KubeObject[]): Workload {
  const statefulSet = findObject<KubeObject & IStatefulSet>(objects, 'StatefulSet');
  const spec = statefulSet.spec;
  const pod = spec?.template.spec;
  const claimName = spec?.volumeClaimTemplates?.[0]?.metadata?.name;
  if (spec === undefined || pod === undefined || claimName === undefined) {
    throw new Error(`StatefulSet ${statefulSet.metadata.name} has no pod template or no volume claim template`);
  }
  const secrets = new Map<string, string[]>();
  for (const object of objects.filter((candidate) => candidate.kind === 'Secret')) {
    const data = { ...(object['data'] as Record<string, string> | undefined), ...(object['stringData'] as Record<string, string> | undefined) };
    secrets.set(object.metadata.name, Object.keys(data));
  }
  const podManagementPolicy = spec.podManagementPolicy === 'Parallel' ? 'Parallel' : 'OrderedReady';
  return { name: statefulSet.metadata.name, serviceName: spec.serviceName ?? '', pod, secrets, claimName, podManagementPolicy };
}

export function containerOf(workload: Workload, name: string): IContainer {
  const all = [...(workload.pod.initContainers ?? []), ...workload.pod.containers];
  const container = all.find((candidate) => candidate.name === name);
  if (container === undefined) throw new Error(`the StatefulSet has no container named ${name} (has ${all.map((c) => c.name).join(', ')})`);
  return container;
}
