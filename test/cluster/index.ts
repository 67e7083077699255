/** The local StatefulSet harness (src/ARCHITECTURE.md, "Tests and the local StatefulSet"): import from here. */
export { Cluster } from './cluster.js';
export { Pod, type ExecOptions, type ExecResult, type Row, type SpawnOptions } from './pod.js';
export { ClusterNames, DEFAULT_ROOT, DNS_ADDRESS, type ClusterOptions, type PodPaths } from './options.js';
export { ManagedProcess, isAlive, type ExitInfo, type ProcessRecord } from './processes.js';
export { downCluster, reapStaleClusters, isStale, type DownOptions } from './teardown.js';
export { readState, type ClusterState } from './state.js';
export { queryDns, renderDnsmasqConfig, type DnsAnswer } from './dns-server.js';
export type { ServerContainer, DataDirInit } from './server.js';
export type { ServerImage } from './server-image.js';
export type { ClusterSecrets } from './secrets.js';
export type { HttpResponse } from './unix-http.js';
export { waitFor, GiveUp } from './wait.js';
