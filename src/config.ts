import { readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { CLONE_METHODS, type CloneMethodSetting } from './clone/method.js';
import { ConfigError, systemErrorCode } from './errors.js';
import { EnvReader } from './env-reader.js';
import { LOG_LEVELS, type LogLevel } from './log.js';
import { deriveIdentity, MAX_SERVER_ID, type ClusterNames, type PodIdentity } from './identity/identity.js';
import { parsePodName } from './identity/pod-name.js';
import type { DnsClientOptions } from './discovery/dns-client.js';
import { parseNameServer, type NameServer } from './discovery/nameserver.js';
import { namespaceFromSearch, parseResolvConf, type ResolvConf } from './discovery/resolv-conf.js';
import { parseServerVersion, type Flavor, type ServerVersion } from './mysql/server-version.js';
import type { Secret } from './secret.js';
import type { SecretName } from './settings.js';

/**
 * The only reader of the environment. Everything is validated at start and
 * every bad variable is reported at once (ConfigError.problems).
 */

/** The DNS client's settings (servers: DNS_SERVERS when set, else RESOLV_CONF's) and the SRV port name. */
export interface DnsConfig extends DnsClientOptions {
  readonly portName: string;
}

export interface Config {
  readonly identity: PodIdentity;
  readonly podIp: string | undefined;
  readonly flavor: Flavor | 'auto';
  /** PATH, where `MYSQL_FLAVOR=auto` looks for the backup tool. */
  readonly searchPath: string | undefined;
  readonly serverVersion: ServerVersion | undefined;
  readonly dataDir: string;
  /** The agent's own state (marker, clone record), on the data volume outside the data dir. */
  readonly stateDir: string;
  readonly confDir: string;
  readonly mysqlHost: string;
  readonly ports: { readonly mysql: number; readonly http: number; readonly clone: number };
  readonly httpHost: string;
  readonly replicationUser: string;
  readonly agentUser: string;
  readonly readiness: { readonly maxLagSeconds: number; readonly checks: number };
  readonly dns: DnsConfig;
  /** Mutual TLS on the clone port, when all three files are configured. */
  readonly cloneTls: CloneTlsFiles | undefined;
  readonly initDeadlineSeconds: number;
  readonly cloneMethod: CloneMethodSetting;
  readonly cloneParallel: number;
  readonly logLevel: LogLevel;
  readonly secrets: {
    readonly rootPassword: Secret | undefined;
    readonly replicationPassword: Secret | undefined;
    readonly agentPassword: Secret | undefined;
    readonly cloneSecret: Secret | undefined;
  };
}

export interface CloneTlsFiles {
  readonly cert: string;
  readonly key: string;
  readonly ca: string;
}

/** What the client commands (`status`) need: no pod identity. */
export interface ClientConfig {
  readonly httpPort: number;
  readonly logLevel: LogLevel;
}

const DNS_NAME = /^(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const dnsLabel = { test: (v: string) => DNS_LABEL.test(v), expected: 'expected a DNS label (lowercase letters, digits, -)' };
const dnsName = { test: (v: string) => DNS_NAME.test(v), expected: 'expected a DNS name such as cluster.local' };

/** `host` stands in for the hostname, the fallback pod name (a parameter so tests can set it). */
export function loadConfig(env: NodeJS.ProcessEnv, host: string = hostname()): Config {
  const r = new EnvReader(env);
  const clusterDomain = r.string('CLUSTER_DOMAIN', dnsName);
  const resolv = readResolvConf(r);
  const names = {
    serviceName: r.string('SERVICE_NAME', dnsLabel),
    namespace: readNamespace(r, resolv, clusterDomain),
    clusterDomain,
  };
  const serverIdOffset = r.int('SERVER_ID_OFFSET', 1, MAX_SERVER_ID);
  const identity = readIdentity(r, { names, serverIdOffset, host });
  const flavor = r.oneOf('MYSQL_FLAVOR', ['auto', 'mysql', 'mariadb'] as const);
  const config: Config = {
    identity: identity as PodIdentity,
    podIp: r.optional('POD_IP'),
    flavor,
    serverVersion: readServerVersion(r, flavor),
    dataDir: r.absolutePath('DATA_DIR'),
    stateDir: r.absolutePath('STATE_DIR'),
    confDir: r.absolutePath('CONF_DIR'),
    mysqlHost: r.string('MYSQL_HOST', { test: (v) => v.length > 0, expected: 'expected a host name or address' }),
    ports: { mysql: r.port('MYSQL_PORT'), http: r.port('HTTP_PORT'), clone: r.port('CLONE_PORT') },
    httpHost: r.string('HTTP_HOST'),
    replicationUser: r.string('REPLICATION_USER', {
      test: (v) => /^[A-Za-z0-9_.-]{1,32}$/.test(v),
      expected: 'expected a user name (letters, digits, _ . -, at most 32)',
    }),
    agentUser: r.string('AGENT_USER', {
      test: (v) => /^[A-Za-z0-9_.-]{1,32}$/.test(v),
      expected: 'expected a user name (letters, digits, _ . -, at most 32)',
    }),
    readiness: { maxLagSeconds: r.int('READY_MAX_LAG_SECONDS', 1, 86_400), checks: r.int('READY_CHECKS', 1, 60) },
    searchPath: env.PATH,
    dns: {
      servers: readNameServers(r) ?? resolv.nameservers,
      timeoutMs: r.int('DNS_TIMEOUT_MS', 50, 60_000),
      attempts: r.int('DNS_ATTEMPTS', 1, 20),
      portName: r.string('SRV_PORT_NAME', {
        test: (v) => /^[a-z0-9]([-a-z0-9]{0,13}[a-z0-9])?$/.test(v),
        expected: 'expected a Kubernetes port name (at most 15 lowercase letters, digits, -)',
      }),
    },
    cloneTls: readCloneTls(r),
    initDeadlineSeconds: r.int('INIT_DEADLINE_SECONDS', 1, 86_400),
    cloneMethod: r.oneOf('CLONE_METHOD', CLONE_METHODS),
    cloneParallel: r.int('CLONE_PARALLEL', 1, 16),
    logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS),
    secrets: {
      rootPassword: r.secret('MYSQL_ROOT_PASSWORD'),
      replicationPassword: r.secret('REPLICATION_PASSWORD'),
      agentPassword: r.secret('AGENT_PASSWORD'),
      cloneSecret: r.secret('CLONE_SECRET'),
    },
  };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

export function loadClientConfig(env: NodeJS.ProcessEnv): ClientConfig {
  const r = new EnvReader(env);
  const config = { httpPort: r.port('HTTP_PORT'), logLevel: r.oneOf('LOG_LEVEL', LOG_LEVELS) };
  if (r.problems.length > 0) throw new ConfigError(r.problems);
  return config;
}

/** A secret a command cannot work without; its absence is a configuration error naming both variables. */
export function requireSecret(secret: Secret | undefined, name: SecretName, why: string): Secret {
  if (secret !== undefined) return secret;
  throw new ConfigError([`${name} (or ${name}_FILE) is unset: ${why}`]);
}

/** Where init writes its failure reason; readable even when the rest of the configuration is bad. */
export function terminationLogPath(env: NodeJS.ProcessEnv): string | undefined {
  const path = new EnvReader(env).optional('TERMINATION_LOG');
  return path === 'off' ? undefined : path;
}

function readIdentity(
  r: EnvReader,
  input: { names: ClusterNames; serverIdOffset: number; host: string },
): PodIdentity | undefined {
  const fromEnv = r.raw('POD_NAME');
  const source = fromEnv === undefined ? 'POD_NAME is unset and the hostname' : 'POD_NAME';
  try {
    return deriveIdentity({ pod: parsePodName(fromEnv ?? input.host), names: input.names, serverIdOffset: input.serverIdOffset });
  } catch (error) {
    r.problems.push(`${source}: ${(error as Error).message}`);
    return undefined;
  }
}

/** All three or none: half a TLS setup would silently fall back to plain HTTP. */
function readCloneTls(r: EnvReader): CloneTlsFiles | undefined {
  const names = ['CLONE_TLS_CERT', 'CLONE_TLS_KEY', 'CLONE_TLS_CA'] as const;
  const [cert, key, ca] = names.map((name) => r.optional(name));
  if (cert === undefined && key === undefined && ca === undefined) return undefined;
  if (cert === undefined || key === undefined || ca === undefined) {
    r.problems.push(`${names.join(', ')} must be set together (set: ${names.filter((_, i) => [cert, key, ca][i] !== undefined).join(', ')})`);
    return undefined;
  }
  for (const [name, path] of [['CLONE_TLS_CERT', cert], ['CLONE_TLS_KEY', key], ['CLONE_TLS_CA', ca]] as const) {
    try {
      readFileSync(path);
    } catch (error) {
      r.problem(name, path, `cannot read the file (${systemErrorCode(error)}): mount the certificate Secret there`);
    }
  }
  return { cert, key, ca };
}

function readResolvConf(r: EnvReader): ResolvConf {
  const path = r.absolutePath('RESOLV_CONF');
  let text = '';
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if (r.optional('DNS_SERVERS') === undefined) {
      const code = systemErrorCode(error);
      r.problem('RESOLV_CONF', path, `cannot read the file (${code}): mount a resolv.conf or set DNS_SERVERS`);
    }
  }
  const conf = parseResolvConf(text);
  if (text !== '' && conf.nameservers.length === 0 && r.optional('DNS_SERVERS') === undefined) {
    r.problem('RESOLV_CONF', path, 'the file names no nameserver: fix it or set DNS_SERVERS');
  }
  return conf;
}

function readNamespace(r: EnvReader, resolv: ResolvConf, clusterDomain: string): string {
  if (r.optional('POD_NAMESPACE') !== undefined) return r.string('POD_NAMESPACE', dnsLabel);
  return namespaceFromSearch(resolv.search, clusterDomain) ?? 'default';
}

function readServerVersion(r: EnvReader, flavor: Flavor | 'auto'): ServerVersion | undefined {
  const text = r.optional('MYSQL_VERSION');
  if (text === undefined) return undefined;
  try {
    return parseServerVersion(text, flavor === 'auto' ? undefined : flavor);
  } catch (error) {
    r.problem('MYSQL_VERSION', text, (error as Error).message);
    return undefined;
  }
}

function readNameServers(r: EnvReader): NameServer[] | undefined {
  const text = r.optional('DNS_SERVERS');
  if (text === undefined) return undefined;
  const servers: NameServer[] = [];
  for (const part of text.split(',')) {
    try {
      servers.push(parseNameServer(part));
    } catch (error) {
      r.problem('DNS_SERVERS', text, (error as Error).message);
    }
  }
  return servers;
}
