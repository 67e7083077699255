import { versionAtLeast, type ServerVersion } from '../mysql/server-version.js';
import type { PodIdentity } from './identity.js';

/** The include file init writes into the server's conf.d. */
export const SERVER_CONFIG_FILE = 'mysql-sts-agent.cnf';

type Option = readonly [name: string, value: string | number];

/**
 * Renders the identity config for the pod's role in the server's own option
 * names. Both roles log binlogs and replicated updates so any pod can donate a
 * clone and could be promoted; replicas are read-only and do not start
 * replication on boot, because the sidecar first checks for errant
 * transactions before it lets replication run.
 */
export function renderServerConfig(identity: PodIdentity, version: ServerVersion): string {
  const options = [...identityOptions(identity), ...binlogOptions(version), ...roleOptions(identity, version)];
  const header = [
    `# Written by mysql-sts-agent init for ${identity.podName} (${identity.role}).`,
    '# Rewritten at every pod start: change the agent configuration, not this file.',
    '[mysqld]',
  ];
  return [...header, ...options.map(([name, value]) => `${name} = ${value}`), ''].join('\n');
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

/** MySQL renamed slave → replica in 8.0.26 and 8.4 dropped many old names; MariaDB keeps the old ones. */
function replicaName(version: ServerVersion, oldName: string, newName: string): string {
  return version.flavor === 'mysql' && versionAtLeast(version, 8, 0, 26) ? newName : oldName;
}
