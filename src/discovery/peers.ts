import type { Answer, SrvData } from 'dns-packet';
import { podFqdn, type PodIdentity } from '../identity/identity.js';
import { parsePodName } from '../identity/pod-name.js';

/** A pod of the same StatefulSet, as DNS knows it. */
export interface Peer {
  readonly name: string;
  readonly ordinal: number;
  readonly fqdn: string;
  /** Undefined when DNS named the pod but gave no address (yet). */
  readonly address: string | undefined;
  readonly port: number;
  readonly self: boolean;
}

/** `_<port>._tcp.<service>.<namespace>.svc.<domain>`: the SRV name Kubernetes publishes for a named port. */
export function srvName(identity: PodIdentity, portName: string): string {
  return `_${portName}._tcp.${identity.serviceName}.${identity.namespace}.svc.${identity.clusterDomain}`;
}

/** The A-record fallback: the previous ordinal's stable name. */
export function previousPodFqdn(identity: PodIdentity): string | undefined {
  if (identity.ordinal === 0) return undefined;
  return podFqdn(identity, `${identity.setName}-${identity.ordinal - 1}`);
}

/**
 * Turns SRV answers into peers of this set. Targets that are not
 * `<set>-<n>.<service>.<namespace>.svc.<domain>` belong to something else and are
 * left out (returned in `ignored` so the caller can say so). Addresses come from
 * the additional section when the server sent them.
 */
export function peersFromSrv(input: {
  identity: PodIdentity;
  answers: readonly Answer[];
  additionals: readonly Answer[];
}): { peers: Peer[]; ignored: string[] } {
  const { identity } = input;
  const suffix = `.${identity.serviceName}.${identity.namespace}.svc.${identity.clusterDomain}`;
  const byOrdinal = new Map<number, Peer>();
  const ignored: string[] = [];
  for (const answer of input.answers) {
    if (answer.type !== 'SRV') continue;
    const data = answer.data as SrvData;
    const target = data.target.toLowerCase().replace(/\.$/, '');
    const ordinal = ordinalOfTarget(target, suffix, identity.setName);
    if (ordinal === undefined) {
      ignored.push(target);
      continue;
    }
    byOrdinal.set(ordinal, {
      name: target.slice(0, -suffix.length),
      ordinal,
      fqdn: target,
      address: addressOf(target, input.additionals),
      port: data.port,
      self: ordinal === identity.ordinal,
    });
  }
  return { peers: [...byOrdinal.values()].sort((a, b) => a.ordinal - b.ordinal), ignored };
}

function ordinalOfTarget(target: string, suffix: string, setName: string): number | undefined {
  if (!target.endsWith(suffix)) return undefined;
  try {
    const pod = parsePodName(target.slice(0, -suffix.length));
    return pod.setName === setName ? pod.ordinal : undefined;
  } catch {
    return undefined;
  }
}

/** The first A (else AAAA) record for `name` in a list of answers. */
export function addressOf(name: string, records: readonly Answer[]): string | undefined {
  const addresses = (type: 'A' | 'AAAA'): string[] =>
    records.flatMap((record) =>
      record.type === type && record.name.toLowerCase().replace(/\.$/, '') === name ? [record.data] : [],
    );
  return addresses('A')[0] ?? addresses('AAAA')[0];
}
