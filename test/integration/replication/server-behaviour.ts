import { expect } from 'vitest';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { GiveUp, waitFor } from '../../cluster/wait.js';
import { startPrimaryWithRows } from '../../support/pod-probes.js';
import { operatorSql, serverVersionOf, type ServerCase } from '../../support/server-sql.js';
import type { Flavor } from '../../../src/mysql/server-version.js';

/**
 * Where MariaDB 10.11 and MySQL 9.7 genuinely differ in what the replication
 * tests see, written out per server so each case asserts its server's real
 * behaviour; and the writes a test makes around replication.
 */
export interface ServerBehaviour {
  /**
   * Last_IO_Errno when the primary purged binlogs the replica needs: MariaDB
   * reports 1236 itself; MySQL 8.0+ wraps it as 13114, whose text keeps "1236".
   */
  readonly purgedIoErrno: number;
  /**
   * The SQL thread after an errant transaction: MariaDB's strict mode stops it
   * at the primary's next GTID (same domain, a lower sequence number); MySQL's
   * errant GTID has the replica's own UUID and collides with nothing.
   */
  readonly sqlThreadAfterErrant: 'Yes' | 'No';
  /** What keeps a replica's clients, root included, from writing: MariaDB's read_only (root holds READ_ONLY ADMIN), MySQL's super_read_only too. */
  readonly readOnlyVariables: readonly string[];
  /** SHOW GRANTS for the agent's user, line by line: the dialect's short list, then heartbeat.* (MySQL prints dynamic privileges apart). */
  readonly agentGrants: readonly RegExp[];
  /** SHOW GRANTS for the CLONE plugin's donor user; empty where the pods clone with the backup stream and the user does not exist. */
  readonly cloneUserGrants: readonly RegExp[];
}

const AGENT = 'ON \\*\\.\\* TO `mysql_sts_agent`@';
const HEARTBEAT_GRANT = /^GRANT SELECT, INSERT, UPDATE, DELETE ON `heartbeat`\.\* TO `mysql_sts_agent`@/;

const BEHAVIOUR: Readonly<Record<Flavor, ServerBehaviour>> = {
  mariadb: {
    purgedIoErrno: 1236,
    sqlThreadAfterErrant: 'No',
    readOnlyVariables: ['read_only'],
    agentGrants: [new RegExp(`^GRANT RELOAD, PROCESS, LOCK TABLES, BINLOG MONITOR, CONNECTION ADMIN, READ_ONLY ADMIN, REPLICATION SLAVE ADMIN, SLAVE MONITOR ${AGENT}`), HEARTBEAT_GRANT],
    cloneUserGrants: [],
  },
  mysql: {
    purgedIoErrno: 13114,
    sqlThreadAfterErrant: 'Yes',
    readOnlyVariables: ['read_only', 'super_read_only'],
    agentGrants: [
      new RegExp(`^GRANT RELOAD, PROCESS, LOCK TABLES, REPLICATION CLIENT ${AGENT}`),
      new RegExp(`^GRANT BACKUP_ADMIN,CONNECTION_ADMIN,REPLICATION_SLAVE_ADMIN,SYSTEM_VARIABLES_ADMIN ${AGENT}`),
      HEARTBEAT_GRANT,
    ],
    cloneUserGrants: [/^GRANT USAGE ON \*\.\* TO `mysql_sts_clone`@`%`$/, /^GRANT BACKUP_ADMIN ON \*\.\* TO `mysql_sts_clone`@`%`$/],
  },
};

export function behaviourOf(server: ServerCase): ServerBehaviour {
  return BEHAVIOUR[server.flavor];
}

/** The pod runs the server the case names (so a wrong overlay cannot pass as the other server). */
export async function expectServer(pod: Pod, server: ServerCase): Promise<void> {
  const version = await serverVersionOf(pod);
  expect(`${version.flavor} ${version.major}.${version.minor}`).toBe(`${server.flavor} ${server.version}`);
}

/**
 * A new set of the case's server with mysql-0 started by the agent, holding
 * `app.rows`, and checked to run that server. The set is torn down again when
 * its primary fails to start.
 */
export async function startSetOf(server: ServerCase, env: Record<string, string>): Promise<{ cluster: Cluster; primary: Pod }> {
  const cluster = await Cluster.create({ overlay: server.overlay });
  try {
    const primary = await startPrimaryWithRows(cluster, env);
    await expectServer(primary, server);
    return { cluster, primary };
  } catch (error) {
    await cluster.down();
    throw error;
  }
}

/** ER_OPTION_PREVENTS_STATEMENT: the server runs with --read-only / --super-read-only. */
const ER_OPTION_PREVENTS_STATEMENT = 1290;

/**
 * Runs `statement` as root on a replica, around replication, with the binlog
 * on: the transaction gets a GTID of the replica's own. On MySQL root must
 * lift super_read_only first, and the sidecar sets it again within a check,
 * so a write refused in between is tried again.
 */
export async function writeAroundReplication(pod: Pod, flavor: Flavor, statement: string): Promise<void> {
  const connection = await pod.connect();
  try {
    await connection.query('SET SESSION sql_log_bin = 1');
    await waitFor(
      async () => {
        for (const allow of operatorSql(flavor).allowRootWrites) await connection.query(allow);
        try {
          await connection.query(statement);
          return true;
        } catch (error) {
          if ((error as { errno?: number }).errno === ER_OPTION_PREVENTS_STATEMENT) return undefined;
          throw new GiveUp(error as Error);
        }
      },
      { what: `root's write around replication on ${pod.name}`, timeoutMs: 10_000, intervalMs: 0 },
    );
  } finally {
    await connection.end();
  }
}
