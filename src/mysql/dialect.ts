import type { Secret } from '../secret.js';
import { versionAtLeast, type ServerVersion } from './server-version.js';

/**
 * Every replication statement goes through here, in the words each server
 * version understands (ARCHITECTURE.md, "Replication"). MySQL 8.0.22/8.0.23 added the
 * REPLICA/SOURCE forms and 8.4 removed the MASTER/SLAVE ones; MariaDB keeps
 * MASTER in CHANGE MASTER and has REPLICA synonyms since 10.5.1.
 * A 1 s replication heartbeat with a short net timeout (identity config) lets
 * the IO thread notice a hung primary in seconds instead of a minute.
 */

export interface Statement {
  readonly sql: string;
  readonly params: readonly (string | number)[];
}

export interface SourceSettings {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: Secret;
  readonly connectRetrySeconds: number;
}

export interface Dialect {
  readonly version: ServerVersion;
  changeSource(source: SourceSettings): Statement;
  readonly startReplica: string;
  readonly stopReplica: string;
  readonly replicaStatus: string;
  /** Forgets the replication channel (a primary cloned from a replica must not replicate from anyone). */
  readonly resetReplicaAll: string;
  readonly binlogStatus: string;
  /** Where replication starts after a clone: the GTID position the backup recorded. */
  setGtidStart(gtid: string): Statement;
  /**
   * MySQL: empties gtid_executed (and the binlogs) so gtid_purged can be set;
   * run only on a fresh clone that holds nothing beyond its position
   * (see planGtidStart). MariaDB: undefined, gtid_slave_pos is set directly.
   */
  readonly resetGtids: string | undefined;
  /** The variable holding everything this server has applied or written. */
  readonly gtidExecutedVariable: string;
  /**
   * Global privileges of the agent's own user: read replication and server
   * state, run replication and read_only changes, take backups, end a stalled
   * replica's connection on the primary (CONNECTION ADMIN, for KILL); nothing else
   * (heartbeat.* is granted apart).
   */
  readonly agentPrivileges: string;
}

export function dialectFor(version: ServerVersion): Dialect {
  return version.flavor === 'mariadb' ? mariaDb(version) : mySql(version);
}

function mariaDb(version: ServerVersion): Dialect {
  const replicaWord = versionAtLeast(version, 10, 5, 1) ? 'REPLICA' : 'SLAVE';
  return {
    version,
    changeSource: (source) => ({
      sql:
        'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ' +
        'MASTER_CONNECT_RETRY = ?, MASTER_HEARTBEAT_PERIOD = 1, MASTER_USE_GTID = slave_pos',
      params: [source.host, source.port, source.user, source.password.reveal(), source.connectRetrySeconds],
    }),
    startReplica: `START ${replicaWord}`,
    stopReplica: `STOP ${replicaWord}`,
    replicaStatus: `SHOW ${replicaWord} STATUS`,
    resetReplicaAll: `RESET ${replicaWord} ALL`,
    binlogStatus: 'SHOW MASTER STATUS',
    setGtidStart: (gtid) => ({ sql: 'SET GLOBAL gtid_slave_pos = ?', params: [gtid] }),
    resetGtids: undefined,
    gtidExecutedVariable: '@@gtid_current_pos',
    agentPrivileges: versionAtLeast(version, 10, 5, 9)
      ? 'RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, REPLICATION SLAVE ADMIN, SLAVE MONITOR, READ_ONLY ADMIN, CONNECTION ADMIN'
      : 'RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT, SUPER',
  };
}

/**
 * Reconnect tries before MySQL's IO thread gives up (8.4 lowered the default
 * from 86400 to 10: a primary away for ~10 s would leave replication stopped).
 * MariaDB's master_retry_count is a server variable, 86400 by default.
 */
const RETRY_COUNT = 86_400;

function mySql(version: ServerVersion): Dialect {
  const sourceForm = versionAtLeast(version, 8, 0, 23);
  const replicaForm = versionAtLeast(version, 8, 0, 22);
  const changeSource = (source: SourceSettings): Statement => {
    const params = [source.host, source.port, source.user, source.password.reveal(), source.connectRetrySeconds, RETRY_COUNT];
    if (sourceForm) {
      // caching_sha2_password over a plain connection needs the source's public key.
      return {
        sql:
          'CHANGE REPLICATION SOURCE TO SOURCE_HOST = ?, SOURCE_PORT = ?, SOURCE_USER = ?, SOURCE_PASSWORD = ?, ' +
          'SOURCE_CONNECT_RETRY = ?, SOURCE_RETRY_COUNT = ?, SOURCE_HEARTBEAT_PERIOD = 1, SOURCE_AUTO_POSITION = 1, GET_SOURCE_PUBLIC_KEY = 1',
        params,
      };
    }
    const publicKey = versionAtLeast(version, 8, 0, 0) ? ', GET_MASTER_PUBLIC_KEY = 1' : '';
    return {
      sql:
        'CHANGE MASTER TO MASTER_HOST = ?, MASTER_PORT = ?, MASTER_USER = ?, MASTER_PASSWORD = ?, ' +
        `MASTER_CONNECT_RETRY = ?, MASTER_RETRY_COUNT = ?, MASTER_HEARTBEAT_PERIOD = 1, MASTER_AUTO_POSITION = 1${publicKey}`,
      params,
    };
  };
  return {
    version,
    changeSource,
    startReplica: replicaForm ? 'START REPLICA' : 'START SLAVE',
    stopReplica: replicaForm ? 'STOP REPLICA' : 'STOP SLAVE',
    replicaStatus: replicaForm ? 'SHOW REPLICA STATUS' : 'SHOW SLAVE STATUS',
    resetReplicaAll: replicaForm ? 'RESET REPLICA ALL' : 'RESET SLAVE ALL',
    binlogStatus: versionAtLeast(version, 8, 2, 0) ? 'SHOW BINARY LOG STATUS' : 'SHOW MASTER STATUS',
    // gtid_purged can only be set on a server whose gtid_executed is empty, as a fresh clone's is after RESET.
    setGtidStart: (gtid) => ({ sql: 'SET GLOBAL gtid_purged = ?', params: [gtid] }),
    // 8.2 renamed it; 8.4 removed RESET MASTER.
    resetGtids: versionAtLeast(version, 8, 2, 0) ? 'RESET BINARY LOGS AND GTIDS' : 'RESET MASTER',
    gtidExecutedVariable: '@@gtid_executed',
    agentPrivileges: versionAtLeast(version, 8, 0, 0)
      ? 'RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT, REPLICATION_SLAVE_ADMIN, SYSTEM_VARIABLES_ADMIN, BACKUP_ADMIN, CONNECTION_ADMIN'
      : 'RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT, SUPER',
  };
}
