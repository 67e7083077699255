import { DNS_ADDRESS, type ClusterNames } from './options.js';

/** /etc/resolv.conf exactly as a kubelet writes it for a ClusterFirst pod. */
export function renderResolvConf(names: ClusterNames): string {
  return [`search ${names.searchDomains().join(' ')}`, `nameserver ${DNS_ADDRESS}`, 'options ndots:5', ''].join('\n');
}

/** /etc/hosts as a kubelet writes it for a pod with hostname + subdomain. */
export function renderHosts(names: ClusterNames, n: number): string {
  return [
    '# Kubernetes-managed hosts file.',
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'fe00::0\tip6-mcastprefix',
    'fe00::1\tip6-allnodes',
    'fe00::2\tip6-allrouters',
    `${names.podAddress(n)}\t${names.podFqdn(n)}\t${names.podName(n)}`,
    '',
  ].join('\n');
}
