import { join } from 'node:path';
import { DEFAULT_OVERLAY } from './manifest.js';

/** What a caller may choose about a local cluster; everything has a default. */
export interface ClusterOptions {
  /** Directory under `root` for this cluster; defaults to the generated id. */
  name?: string;
  /** Parent of every cluster dir and of the cached template data dir. */
  root?: string;
  /** StatefulSet name: pods are `<statefulSet>-<n>`. */
  statefulSet?: string;
  /** Headless Service name. */
  service?: string;
  /** Kubernetes namespace. */
  namespace?: string;
  clusterDomain?: string;
  /** Password of root@localhost and root@%; random per cluster by default. */
  rootPassword?: string;
  /** Keep the cluster dir (logs, data) when the cluster goes down. */
  keep?: boolean;
  /**
   * Processes outlive the process that created the cluster and the cluster has
   * no owner, so `reapStaleClusters` leaves it alone (the CLI's `dev` cluster).
   */
  detached?: boolean;
  /** Copy a cached, initialised data dir instead of running mariadb-install-db per pod. */
  useTemplate?: boolean;
  /** Seconds between SIGTERM and SIGKILL when stopping processes. */
  stopGraceSeconds?: number;
  /** Kustomization (relative to the repository) whose StatefulSet the pods run from. */
  overlay?: string;
  /**
   * A podman image (name or ID) the init and sidecar containers run from, as
   * podman containers in the pod's namespaces with the StatefulSet's
   * securityContext (see agent-containers.ts); unset: host processes.
   */
  agentImage?: string;
}

export type ResolvedOptions = Required<Omit<ClusterOptions, 'name' | 'rootPassword' | 'agentImage'>> & {
  name: string | undefined;
  agentImage: string | undefined;
};

export const DEFAULT_ROOT = '/tmp/mysql-sts-agent-cluster';
export const SUBNET_PREFIX = '198.18.0';
export const DNS_ADDRESS = `${SUBNET_PREFIX}.2`;
export const PREFIX_LENGTH = 24;
export const MYSQL_PORT = 3306;
/** The bridge inside the `<id>-net` namespace. */
export const BRIDGE = 'br0';

export function resolveOptions(opts: ClusterOptions): ResolvedOptions {
  return {
    name: opts.name,
    root: opts.root ?? DEFAULT_ROOT,
    statefulSet: opts.statefulSet ?? 'mysql',
    service: opts.service ?? 'mysql',
    namespace: opts.namespace ?? 'default',
    clusterDomain: opts.clusterDomain ?? 'cluster.local',
    keep: opts.keep ?? false,
    detached: opts.detached ?? false,
    useTemplate: opts.useTemplate ?? true,
    stopGraceSeconds: opts.stopGraceSeconds ?? 5,
    overlay: opts.overlay ?? DEFAULT_OVERLAY,
    agentImage: opts.agentImage,
  };
}

/** Names a cluster hands out; pure so the DNS config, the pods and the tests agree. */
export class ClusterNames {
  constructor(
    readonly id: string,
    readonly opts: Pick<ResolvedOptions, 'statefulSet' | 'service' | 'namespace' | 'clusterDomain'>,
  ) {}

  podName(n: number): string {
    return `${this.opts.statefulSet}-${n}`;
  }

  /** `<svc>.<ns>.svc.<domain>`: the headless Service's A record. */
  serviceFqdn(): string {
    const { service, namespace, clusterDomain } = this.opts;
    return `${service}.${namespace}.svc.${clusterDomain}`;
  }

  podFqdn(n: number): string {
    return `${this.podName(n)}.${this.serviceFqdn()}`;
  }

  /** The SRV name Kubernetes publishes for the Service's port named `mysql`. */
  srvName(): string {
    return `_mysql._tcp.${this.serviceFqdn()}`;
  }

  /** Search path a kubelet writes for a pod in `namespace`. */
  searchDomains(): string[] {
    const { namespace, clusterDomain } = this.opts;
    return [`${namespace}.svc.${clusterDomain}`, `svc.${clusterDomain}`, clusterDomain];
  }

  podAddress(n: number): string {
    if (!Number.isInteger(n) || n < 0 || n > 200) {
      throw new Error(`failed to address pod ${n}: ordinals 0..200 fit in ${SUBNET_PREFIX}.0/24`);
    }
    return `${SUBNET_PREFIX}.${10 + n}`;
  }

  bridgeNamespace(): string {
    return `${this.id}-net`;
  }

  dnsNamespace(): string {
    return `${this.id}-dns`;
  }

  podNamespace(n: number): string {
    return `${this.id}-${this.podName(n)}`;
  }

  /** Bridge-side end of a pod's veth pair (lives in `<id>-net`; max 15 chars). */
  bridgePort(n: number): string {
    return `p${n}`;
  }
}

/** Host paths of one pod; the container sees them at the paths in the comments. */
export interface PodPaths {
  dir: string;
  /** The persistent volume; containers mount its subdirs (`subPath`). */
  volume: string;
  /** /var/lib/mysql: the volume's `mysql` subdir. */
  data: string;
  /** /var/lib/mysql-sts-agent: the volume's `agent` subdir, the agent's state. */
  state: string;
  /** /etc/mysql/conf.d: an emptyDir the agent's init writes into. */
  confD: string;
  /** /run/mysqld: the server's socket and pid file. */
  run: string;
  /** /etc/mysql/my.cnf */
  myCnf: string;
  logs: string;
  /** The server socket seen from the host. */
  socket: string;
}

export function podPaths(clusterDir: string, podName: string): PodPaths {
  const dir = join(clusterDir, 'pods', podName);
  return {
    dir,
    volume: join(dir, 'volume'),
    data: join(dir, 'volume', 'mysql'),
    state: join(dir, 'volume', 'agent'),
    confD: join(dir, 'conf.d'),
    run: join(dir, 'run'),
    myCnf: join(dir, 'my.cnf'),
    logs: join(dir, 'logs'),
    socket: join(dir, 'run', 'mysqld.sock'),
  };
}

/** Where the container's mounts go; the same in every pod, as in the image. */
export const CONTAINER_PATHS = {
  data: '/var/lib/mysql',
  state: '/var/lib/mysql-sts-agent',
  confD: '/etc/mysql/conf.d',
  run: '/run/mysqld',
  myCnf: '/etc/mysql/my.cnf',
  socket: '/run/mysqld/mysqld.sock',
} as const;

/** PATH of the pod's processes, like a Debian-based image. */
export const BASE_PATH = '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
