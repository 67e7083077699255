import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IProbe } from 'kubernetes-models/v1/Probe';

/**
 * A container of the rendered pod template, resolved the way the kubelet
 * resolves it for one pod: the command line, the environment (downward API and
 * Secret references filled in) and the probes with named ports looked up.
 */

/** Container names in k8s/base/statefulset.yaml (the manifest tests check they exist). */
export const CONTAINERS = { init: 'init', server: 'mysql', sidecar: 'agent' } as const;

/** The downward API values of one pod. */
export interface PodFacts {
  readonly name: string;
  readonly namespace: string;
  readonly address: string;
}

/** A Secret's value by name and key (the harness's own values, never the manifests' examples). */
export type SecretLookup = (secretName: string, key: string) => string;

const FIELD_REFS: Record<string, (facts: PodFacts) => string> = {
  'metadata.name': (facts) => facts.name,
  'metadata.namespace': (facts) => facts.namespace,
  'status.podIP': (facts) => facts.address,
};

export function resolveEnv(container: IContainer, facts: PodFacts, secret: SecretLookup): Record<string, string> {
  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    const from = variable.valueFrom;
    if (from === undefined) {
      env[variable.name] = variable.value ?? '';
    } else if (from.fieldRef !== undefined) {
      const field = FIELD_REFS[from.fieldRef.fieldPath];
      if (field === undefined) throw new Error(`${container.name}: env ${variable.name} uses fieldRef ${from.fieldRef.fieldPath}, which the harness does not provide`);
      env[variable.name] = field(facts);
    } else if (from.secretKeyRef !== undefined) {
      env[variable.name] = secret(from.secretKeyRef.name ?? '', from.secretKeyRef.key);
    } else {
      throw new Error(`${container.name}: env ${variable.name} has a valueFrom the harness does not support`);
    }
  }
  return env;
}

/** `command` + `args`; the harness has no image entrypoint to fall back on, so a command is required. */
export function commandLine(container: IContainer): { file: string; args: string[] } {
  const [file, ...rest] = container.command ?? [];
  if (file === undefined) throw new Error(`${container.name}: no command in the manifest: the harness runs what the manifest says`);
  return { file, args: [...rest, ...(container.args ?? [])] };
}

export type ProbeKind = 'startupProbe' | 'livenessProbe' | 'readinessProbe';

export type ResolvedProbe =
  | { readonly kind: 'http'; readonly path: string; readonly port: number; readonly timeoutMs: number }
  | { readonly kind: 'exec'; readonly command: readonly string[]; readonly timeoutMs: number };

export function containerPort(container: IContainer, port: number | string): number {
  if (typeof port === 'number') return port;
  const found = container.ports?.find((candidate) => candidate.name === port);
  if (found === undefined) throw new Error(`${container.name}: probe port ${port} is not a named port of the container`);
  return found.containerPort;
}

export function resolveProbe(container: IContainer, kind: ProbeKind): ResolvedProbe | undefined {
  const probe: IProbe | undefined = container[kind];
  if (probe === undefined) return undefined;
  const timeoutMs = (probe.timeoutSeconds ?? 1) * 1000;
  if (probe.httpGet !== undefined) {
    return { kind: 'http', path: probe.httpGet.path ?? '/', port: containerPort(container, probe.httpGet.port), timeoutMs };
  }
  if (probe.exec?.command !== undefined) return { kind: 'exec', command: probe.exec.command, timeoutMs };
  throw new Error(`${container.name}: ${kind} is neither httpGet nor exec, which the harness does not run`);
}
