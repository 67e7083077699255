/**
 * Every environment variable the agent reads, with its default and meaning.
 * This table is the single source for parsing defaults (config.ts) and for the
 * README's configuration table (a unit test keeps the two in step).
 */

export interface SettingDoc {
  /** Default as parsed; undefined when the setting is optional or computed. */
  readonly default?: string;
  /** Default as shown to humans, when it is computed. */
  readonly shownDefault?: string;
  readonly meaning: string;
  /** Secrets can also be read from the file named by `<NAME>_FILE`. */
  readonly secret?: true;
}

export const SETTINGS = {
  POD_NAME: { shownDefault: 'the hostname', meaning: 'Pod name `<statefulset>-<ordinal>` (downward API `metadata.name`).' },
  POD_NAMESPACE: {
    shownDefault: 'from the first search domain of RESOLV_CONF (`<ns>.svc.<domain>`), else `default`',
    meaning: 'Namespace of the pod (downward API `metadata.namespace`).',
  },
  POD_IP: { meaning: 'Pod IP (downward API `status.podIP`); shown in status only.' },
  SERVICE_NAME: { default: 'mysql', meaning: 'Headless Service that governs the StatefulSet (its SRV records list the peers).' },
  CLUSTER_DOMAIN: { default: 'cluster.local', meaning: 'Cluster DNS domain.' },
  SERVER_ID_OFFSET: { default: '100', meaning: '`server_id` = offset + ordinal (0 is illegal; small ids collide with other tools).' },
  MYSQL_FLAVOR: {
    default: 'auto',
    meaning:
      '`mysql`, `mariadb`, or `auto`: init reads the data dir when it holds one (`mysql.ibd` → MySQL, `aria_log_control` → MariaDB), else the backup tool on PATH (mariadb-backup → MariaDB, xtrabackup → MySQL). The shipped overlays set it.',
  },
  MYSQL_VERSION: {
    meaning: 'Server version for config syntax, e.g. `8.0.36`, `8.4`, `10.11`; unset: MySQL 8.0.26+ or MariaDB 10.6+ syntax.',
  },
  DATA_DIR: { default: '/var/lib/mysql', meaning: "The server's data directory (the pod's volume)." },
  STATE_DIR: {
    default: '/var/lib/mysql-sts-agent',
    meaning: "The agent's own state (marker, clone record): a second mount of the data volume (another `subPath`), outside the data dir, where the server never looks.",
  },
  CONF_DIR: { default: '/etc/mysql/conf.d', meaning: 'Include directory the server reads; init writes `mysql-sts-agent.cnf` there.' },
  MYSQL_HOST: { default: '127.0.0.1', meaning: 'Address of the local server, for the sidecar.' },
  MYSQL_PORT: { default: '3306', meaning: 'SQL port (also the port SRV records point at).' },
  HTTP_PORT: { default: '8080', meaning: 'Probes, `/status` and `/metrics` (plain HTTP, no secrets).' },
  HTTP_HOST: { default: '0.0.0.0', meaning: 'Address the HTTP server listens on.' },
  REPLICATION_USER: { default: 'repl', meaning: 'Replication user the primary ensures (REPLICATION SLAVE only) and replicas connect as.' },
  AGENT_USER: {
    default: 'mysql_sts_agent',
    meaning: "The agent's least-privilege user (loopback only), created by the primary's sidecar.",
  },
  READY_MAX_LAG_SECONDS: { default: '10', meaning: 'A replica whose heartbeat lag is above this is not Ready.' },
  READY_CHECKS: { default: '3', meaning: 'Consecutive checks (one a second) that must agree before a lag near the threshold flips readiness (hysteresis); facts (a stopped thread, an error, a caught-up replica) act at once.' },
  CLONE_PORT: { default: '3307', meaning: 'Clone donor port (authenticated).' },
  SRV_PORT_NAME: { default: 'mysql', meaning: "Named port of the headless Service: SRV `_<name>._tcp.<service>.<namespace>.svc.<domain>`." },
  RESOLV_CONF: { default: '/etc/resolv.conf', meaning: 'Where the nameservers come from, and the namespace when POD_NAMESPACE is unset (the first search domain).' },
  DNS_SERVERS: { meaning: 'Comma-separated `host[:port]` nameservers that replace those of RESOLV_CONF.' },
  DNS_TIMEOUT_MS: { default: '2000', meaning: 'Timeout of one DNS try (UDP or TCP).' },
  DNS_ATTEMPTS: { default: '3', meaning: 'Tries of one DNS query, rotating through the nameservers, with backoff.' },
  INIT_DEADLINE_SECONDS: {
    default: '900',
    meaning: 'How long init keeps retrying discovery, waiting for a donor and cloning before it gives up (keep it below the startup budget).',
  },
  CLONE_METHOD: {
    default: 'auto',
    meaning:
      '`clone-plugin` (MySQL 8.0.17+: the server clones itself from a peer with MySQL\'s CLONE plugin; no backup tool in the agent image), `backup-stream` (mariadb-backup or XtraBackup streamed by the agent) or `auto` (the CLONE plugin wherever the server has it).',
  },
  CLONE_PARALLEL: { default: '2', meaning: 'Threads the backup tool and the stream extractor use (`--parallel`).' },
  CLONE_TLS_CERT: { meaning: 'PEM certificate of this pod for the clone port (mutual TLS); set with CLONE_TLS_KEY and CLONE_TLS_CA.' },
  CLONE_TLS_KEY: { meaning: 'PEM private key for CLONE_TLS_CERT.' },
  CLONE_TLS_CA: {
    meaning: 'PEM CA that signed every pod\'s clone certificate; its names must cover `<pod>.<service>.<namespace>.svc.<domain>`.',
  },
  LOG_LEVEL: { default: 'info', meaning: '`trace`, `debug`, `info`, `warn`, `error`, `fatal` or `silent`.' },
  TERMINATION_LOG: {
    default: '/dev/termination-log',
    meaning: 'Where init writes its one-line failure reason (shown by `kubectl describe pod`); `off` to disable.',
  },
  MYSQL_ROOT_PASSWORD: { secret: true, meaning: 'Password of the server\'s root user: the primary\'s sidecar creates the agent and replication users with it at start; a replica uses it only until the agent user has replicated.' },
  REPLICATION_PASSWORD: { secret: true, meaning: 'Password of the replication user.' },
  AGENT_PASSWORD: {
    secret: true,
    meaning: "Password of the agent's own user (AGENT_USER), which the sidecar and the clone donor use; root is only used to create the users on the primary.",
  },
  CLONE_SECRET: { secret: true, meaning: 'Shared secret that authenticates clone requests between pods.' },
} as const satisfies Record<string, SettingDoc>;

export type SettingName = keyof typeof SETTINGS;

export type SecretName = {
  [K in SettingName]: (typeof SETTINGS)[K] extends { secret: true } ? K : never;
}[SettingName];

export function defaultOf(name: SettingName): string | undefined {
  const doc: SettingDoc = SETTINGS[name];
  return doc.default;
}
