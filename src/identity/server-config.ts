import { versionAtLeast, type ServerVersion } from '../mysql/server-version.js';
import type { PodIdentity } from './identity.js';

/** The include file init writes into the server's conf.d. */
export const SERVER_CONFIG_FILE = 'mysql-sts-agent.cnf';

type Option = readonly [name: string, value: string | number];

/** What else than the pod's identity shapes its server's config. */
export interface ServerConfigOptions {
  /** The set clones with MySQL's CLONE plugin: every pod loads it (donors and recipients). */
  readonly clonePlugin: boolean;
  /**
   * This pod's empty server waits for a CLONE-plugin clone: read_only for
   * clients, but not super_read_only, which would stop the server image's
   * first-boot set-up (it changes the root password) and the clone itself.
   */
  readonly awaitingClone: boolean;
}

/**
 * Renders the identity config for the pod's role in the server's own option
 * names (ARCHITECTURE.md, "Identity"). Both roles log binlogs and replicated
 * updates so any pod can donate a clone and could be promoted; replicas are
 * read-only and do not start replication on boot, because the sidecar first
 * checks for errant transactions before it lets replication run.
 */
export function renderServerConfig(identity: PodIdentity, version: ServerVersion, options: ServerConfigOptions): string {
  const plugin: Option[] = options.clonePlugin ? [['plugin-load-add', 'mysql_clone.so']] : [];
  const role = options.awaitingClone ? awaitingCloneOptions(version) : roleOptions(identity, version);
  const all = [...identityOptions(identity), ...binlogOptions(version), ...plugin, ...role];
  const header = [
    `# Written by mysql-sts-agent init for ${identity.podName} (${identity.role}${options.awaitingClone ? ', waiting for a clone' : ''}).`,
    '# Rewritten at every pod start: change the agent configuration, not this file.',
    '[mysqld]',
  ];
  return [...header, ...all.map(([name, value]) => `${name} = ${value}`), ''].join('\n');
}

function identityOptions(identity: PodIdentity): Option[] {
  return [
    ['server_id', identity.serverId],
    ['report_host', identity.fqdn],
  ];
}

/** Binlog and relay log names fixed, not derived from the hostname, so they survive clones. */
function binlogOptions(version: ServerVersion): Option[] {
  const common: Option[] = [
    ['log_bin', 'mysql-bin'],
    ['relay_log', 'relay-bin'],
    [replicaName(version, 'log_slave_updates', 'log_replica_updates'), 'ON'],
  ];
  if (version.flavor === 'mariadb') {
    // MariaDB always has GTIDs; strict mode refuses out-of-order ones instead of diverging.
    return [...common, ['binlog_format', 'ROW'], ['gtid_strict_mode', 'ON']];
  }
  return [...common, ['gtid_mode', 'ON'], ['enforce_gtid_consistency', 'ON']];
}

function roleOptions(identity: PodIdentity, version: ServerVersion): Option[] {
  if (identity.role === 'primary') {
    const writable: Option[] = [['read_only', 'OFF']];
    return version.flavor === 'mysql' ? [...writable, ['super_read_only', 'OFF']] : writable;
  }
  const readOnly: Option[] = [
    ['read_only', 'ON'],
    [replicaName(version, 'skip_slave_start', 'skip_replica_start'), 'ON'],
    // With the 1 s replication heartbeat, a silent primary is noticed within 5 s, not the default 60.
    [replicaName(version, 'slave_net_timeout', 'replica_net_timeout'), 5],
  ];
  // MariaDB has no super_read_only: its read_only already binds everyone without READ_ONLY ADMIN.
  return version.flavor === 'mysql' ? [...readOnly, ['super_read_only', 'ON']] : readOnly;
}

/** Whatever its role, a server waiting for a clone takes no writes from clients and does not replicate. */
function awaitingCloneOptions(version: ServerVersion): Option[] {
  return [
    ['read_only', 'ON'],
    ['super_read_only', 'OFF'],
    [replicaName(version, 'skip_slave_start', 'skip_replica_start'), 'ON'],
    [replicaName(version, 'slave_net_timeout', 'replica_net_timeout'), 5],
  ];
}

/** MySQL renamed slave → replica in 8.0.26 and 8.4 dropped many old names; MariaDB keeps the old ones. */
function replicaName(version: ServerVersion, oldName: string, newName: string): string {
  return version.flavor === 'mysql' && versionAtLeast(version, 8, 0, 26) ? newName : oldName;
}
