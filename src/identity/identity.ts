import { formatPodName, type PodName } from './pod-name.js';

/** server_id is an unsigned 32-bit integer and 0 is illegal for a replicating server. */
export const MAX_SERVER_ID = 4_294_967_295;

export interface ClusterNames {
  readonly serviceName: string;
  readonly namespace: string;
  readonly clusterDomain: string;
}

export interface PodIdentity extends PodName, ClusterNames {
  readonly podName: string;
  readonly serverId: number;
  /** The stable DNS name the headless Service gives this pod; also report_host. */
  readonly fqdn: string;
  readonly role: 'primary' | 'replica';
}

/** The stable name of any pod of the set: `<pod>.<service>.<namespace>.svc.<domain>`. */
export function podFqdn(names: ClusterNames, podName: string): string {
  return `${podName}.${names.serviceName}.${names.namespace}.svc.${names.clusterDomain}`;
}

/** Derives the pod's identity; throws with a message naming what to change. */
export function deriveIdentity(input: { pod: PodName; names: ClusterNames; serverIdOffset: number }): PodIdentity {
  const { pod, names, serverIdOffset } = input;
  const serverId = serverIdOffset + pod.ordinal;
  if (serverId < 1 || serverId > MAX_SERVER_ID) {
    throw new Error(
      `server_id ${serverIdOffset} + ordinal ${pod.ordinal} = ${serverId} is outside 1..${MAX_SERVER_ID}: lower SERVER_ID_OFFSET`,
    );
  }
  const podName = formatPodName(pod);
  return {
    ...pod,
    ...names,
    podName,
    serverId,
    fqdn: podFqdn(names, podName),
    role: pod.ordinal === 0 ? 'primary' : 'replica',
  };
}
