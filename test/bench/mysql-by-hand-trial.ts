import { CLONE_USER, clonePassword } from '../../src/clone/clone-plugin/clone-user.js';
import { ER_RESTART_SERVER_FAILED, serverErrno } from '../../src/mysql/error-numbers.js';
import { Secret } from '../../src/secret.js';
import { credentialValue, setOf } from '../cluster/agent.js';
import { GiveUp, waitFor, type Pod } from '../cluster/index.js';
import { replicateByHand, writeServerConfig } from './by-hand.js';
import { CLONE_TIMEOUT_MS, finishTrial, SERVER_TIMEOUT_MS, type MysqlTrialContext, type MysqlTrialTiming } from './mysql-trial.js';

/**
 * The floor, typed by hand with nothing in between: the server options init
 * would write (rendered by the agent's code: the CLONE plugin loaded,
 * read_only), the harness's empty server, then as root `SET GLOBAL
 * clone_valid_donor_list` and `CLONE INSTANCE … REQUIRE SSL` from the same
 * donor with the same user; mysqld exits (3707), the harness restarts it
 * exactly as it does for the agent, and the first query after the restart
 * finds clone_status Completed. With `untilReady`, then CHANGE REPLICATION
 * SOURCE … SOURCE_AUTO_POSITION=1 and START REPLICA until caught up.
 */
export async function byHandTrial(ctx: MysqlTrialContext, recipient: Pod, untilReady: boolean): Promise<MysqlTrialTiming> {
  const { cluster, donor } = ctx;
  const startMs = Date.now();
  await writeServerConfig(donor, recipient, { clonePlugin: true, awaitingClone: true });
  await recipient.startServer({ timeoutMs: SERVER_TIMEOUT_MS });
  const serverUp = Date.now();
  const cloneIssued = Date.now();
  await cloneInstanceByHand(ctx, recipient);
  await recipient.server.waitForRestarts(1, CLONE_TIMEOUT_MS);
  await waitForCompleted(recipient);
  const recorded = Date.now();
  // By hand the replication statements follow at once: nothing waits for a next check.
  const pointed = untilReady ? Date.now() : undefined;
  if (untilReady) await replicateByHand({ cluster, donor, recipient, gtidStart: undefined });
  const ready = untilReady ? Date.now() : undefined;
  return finishTrial(ctx, recipient, startMs, { serverUp, cloneIssued, recorded, pointed, ready });
}

/** As root on the recipient's socket; resolves when the server answers 3707 (it took the data and exits to restart). */
async function cloneInstanceByHand(ctx: MysqlTrialContext, recipient: Pod): Promise<void> {
  const { cluster, donor } = ctx;
  // The donor-side user's password, derived from the Secret's clone-secret as every pod derives it.
  const cloneSecret = new Secret(credentialValue(cluster, 'clone-secret').replace(/\r?\n$/, ''), 'CLONE_SECRET');
  const conn = await recipient.connect();
  conn.on('error', () => undefined);
  try {
    await conn.query(`SET GLOBAL clone_valid_donor_list = '${donor.fqdn}:3306'`);
    await conn.query(`CLONE INSTANCE FROM '${CLONE_USER}'@'${donor.fqdn}':3306 IDENTIFIED BY ? REQUIRE SSL`, [clonePassword(cloneSecret, setOf(cluster)).reveal()]);
  } catch (error) {
    if (serverErrno(error) === ER_RESTART_SERVER_FAILED) return;
    throw new Error(`CLONE INSTANCE in ${recipient.name} failed: ${(error as Error).message}`);
  } finally {
    conn.destroy();
  }
  throw new Error(`CLONE INSTANCE in ${recipient.name} returned without asking for a restart (3707)`);
}

/** The restarted server's clone_status; the first answer normally says Completed already. */
async function waitForCompleted(recipient: Pod): Promise<void> {
  await waitFor(
    async () => {
      const [row] = await recipient.query<{ state: string; error: string }>(
        'SELECT STATE AS state, ERROR_MESSAGE AS error FROM performance_schema.clone_status ORDER BY ID DESC LIMIT 1',
      );
      if (row?.state === 'Failed') throw new GiveUp(new Error(`${recipient.name}'s clone failed: ${row.error}`));
      return row?.state === 'Completed' ? true : undefined;
    },
    { what: `${recipient.name}'s clone_status to say Completed`, timeoutMs: SERVER_TIMEOUT_MS, intervalMs: 20 },
  );
}
