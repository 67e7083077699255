import { PrometheusRule } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/PrometheusRule';
import { ServiceMonitor } from '@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1/ServiceMonitor';
import { StatefulSet } from 'kubernetes-models/apps/v1/StatefulSet';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import type { KubeObject } from '../cluster/manifest.js';

/**
 * Validation of rendered objects against the Kubernetes OpenAPI schemas (and
 * the prometheus-operator CRD schemas) as compiled by kubernetes-models. A kind
 * missing here is an error, not a pass: every object we ship gets checked.
 */

interface Validatable {
  validate(): void;
}

const MODELS: Record<string, (object: KubeObject) => Validatable> = {
  'v1/Service': (object) => new Service(object as never),
  'v1/Secret': (object) => new Secret(object as never),
  'v1/ConfigMap': (object) => new ConfigMap(object as never),
  'apps/v1/StatefulSet': (object) => new StatefulSet(object as never),
  'policy/v1/PodDisruptionBudget': (object) => new PodDisruptionBudget(object as never),
  'networking.k8s.io/v1/NetworkPolicy': (object) => new NetworkPolicy(object as never),
  'monitoring.coreos.com/v1/ServiceMonitor': (object) => new ServiceMonitor(object as never),
  'monitoring.coreos.com/v1/PrometheusRule': (object) => new PrometheusRule(object as never),
};

/** The schema errors of one object, `[]` when it is valid. */
export function schemaErrors(object: KubeObject): string[] {
  const label = `${object.kind}/${object.metadata.name}`;
  const model = MODELS[`${object.apiVersion}/${object.kind}`];
  if (model === undefined) return [`${label}: no schema for ${object.apiVersion} ${object.kind}`];
  try {
    model(object).validate();
    return [];
  } catch (error) {
    return [`${label}: ${(error as Error).message}`];
  }
}
