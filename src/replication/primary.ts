import type { Connection } from 'mysql2/promise';
import { HEARTBEAT_TABLE_DDL } from '../mysql/heartbeat.js';
import type { Flavor } from '../mysql/server-version.js';
import type { Secret } from '../secret.js';

export interface UserSpec {
  readonly user: string;
  readonly password: Secret;
}

/** The agent connects only from its own pod: loopback over TCP or the socket. */
const AGENT_HOSTS = ['127.0.0.1', '::1', 'localhost'];

/**
 * What the primary must have before replicas can follow it: the heartbeat
 * table, the replication user (only REPLICATION SLAVE, from anywhere) and the
 * agent's user (the dialect's short list, from loopback only, plus DML on
 * heartbeat.*) and, with the CLONE plugin, the clone user (BACKUP_ADMIN only),
 * passwords kept in step with the Secrets. Runs with the root
 * password at every sidecar start; everything replicates, so replicas and
 * clones get the same users. Idempotent.
 */
export async function ensurePrimaryObjects(
  connection: Connection,
  input: { replication: UserSpec; agent: UserSpec; agentPrivileges: string; clone: UserSpec | undefined },
): Promise<void> {
  for (const statement of HEARTBEAT_TABLE_DDL) await connection.query(statement);
  await ensureUser(connection, { ...input.replication, host: '%' });
  await connection.query("GRANT REPLICATION SLAVE ON *.* TO ?@'%'", [input.replication.user]);
  for (const host of AGENT_HOSTS) {
    await ensureUser(connection, { ...input.agent, host });
    await connection.query(`GRANT ${input.agentPrivileges} ON *.* TO ?@?`, [input.agent.user, host]);
    await connection.query('GRANT SELECT, INSERT, UPDATE, DELETE ON heartbeat.* TO ?@?', [input.agent.user, host]);
  }
  if (input.clone !== undefined) {
    // The CLONE plugin's donor side needs BACKUP_ADMIN and nothing else; recipients connect from their pod's address.
    await ensureUser(connection, { ...input.clone, host: '%' });
    await connection.query("GRANT BACKUP_ADMIN ON *.* TO ?@'%'", [input.clone.user]);
  }
}

async function ensureUser(connection: Connection, input: UserSpec & { host: string }): Promise<void> {
  const password = input.password.reveal();
  await connection.query('CREATE USER IF NOT EXISTS ?@? IDENTIFIED BY ?', [input.user, input.host, password]);
  await connection.query('ALTER USER ?@? IDENTIFIED BY ?', [input.user, input.host, password]);
}

/** The primary stays writable: a config or a human that made it read-only is overruled. */
export async function ensureWritable(connection: Connection, flavor: Flavor, readOnly: boolean): Promise<void> {
  if (!readOnly) return;
  if (flavor === 'mysql') await connection.query('SET GLOBAL super_read_only = OFF');
  await connection.query('SET GLOBAL read_only = OFF');
}

