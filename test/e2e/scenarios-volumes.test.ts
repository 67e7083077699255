import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInitContainer, startAgentPod } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { waitFor } from '../cluster/wait.js';
import { loadBulk } from '../support/bulk-data.js';
import { cloneInfoOf, pidsNamed } from '../support/pod-inspect.js';
import { metricsOf, readyzOf, slaveStatusOf, startPrimaryWithRows, waitForReadyz, waitForWrites } from '../support/pod-probes.js';
import { RowWriter } from '../support/row-writer.js';
import { expectNothingLost } from './support/expect-nothing-lost.js';
import { checkNothingLost } from './support/nothing-lost.js';
import { finishStart, initPlanOf, markerOf, startPod, type PodStart } from './support/pod-start.js';
import { ServerStartWatch } from './support/server-start-watch.js';

/** Faster readiness flips than the defaults, so each scenario takes seconds. */
const ENV = { READY_CHECKS: '2' };

/**
 * SIGKILLs the donor's backup tool once the stream has landed files in the
 * recipient's staging dir: the donor's sidecar lives on and must report the
 * backup as failed, the recipient must notice and go elsewhere.
 */
async function killBackupMidStream(donor: Pod, recipient: Pod): Promise<number> {
  const [pid] = await waitFor(async () => {
    const pids = await pidsNamed(donor, 'mariadb-backup');
    return pids.length === 1 ? pids : undefined;
  }, { what: `a backup to start on ${donor.name}`, timeoutMs: 60_000, intervalMs: 5 });
  const staging = join(recipient.paths.data, '.mysql-sts-agent', 'staging');
  await waitFor(async () => (existsSync(staging) && readdirSync(staging).length > 0 ? true : undefined), {
    what: `the stream from ${donor.name} to land in ${recipient.name}'s staging dir`,
    timeoutMs: 60_000,
    intervalMs: 2,
  });
  try {
    process.kill(pid as number, 'SIGKILL');
  } catch (error) {
    throw new Error(`failed to cut the clone: ${donor.name}'s backup ${pid} had already ended; make app.bulk bigger`, { cause: error });
  }
  return pid as number;
}

describe('e2e: volumes never hold a half-written clone, and a lost primary volume comes back with the data', () => {
  let cluster: Cluster;
  let primary: Pod;

  beforeAll(async () => {
    cluster = await Cluster.create();
    primary = await startPrimaryWithRows(cluster, ENV);
    await loadBulk(primary);
    // One table per scenario: each writer numbers its rows from 1.
    await primary.query('CREATE TABLE app.mid_clone (id INT PRIMARY KEY, note VARCHAR(64))');
    await primary.query('CREATE TABLE app.lost_primary (id INT PRIMARY KEY, note VARCHAR(64))');
    await startAgentPod(cluster, 1, ENV);
    await startAgentPod(cluster, 2, ENV);
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('5. the donor dies mid-clone: mysql-3 clones from another peer and never starts a half-written data dir; writes go on', async () => {
    const donor = cluster.pod(2);
    const writer = new RowWriter(() => primary.connect(), 'app.mid_clone');
    writer.start();
    let acknowledged: number[];
    let start: PodStart;
    let watch: ServerStartWatch | undefined;
    let ackedAtKill = 0;
    try {
      await waitForWrites(writer, 20);
      const started = Date.now();
      const recipient = await cluster.addPod(3);
      watch = new ServerStartWatch(recipient);
      watch.start();
      const init = runInitContainer(cluster, recipient, ENV);
      await killBackupMidStream(donor, recipient);
      ackedAtKill = writer.acknowledged.length;
      start = await finishStart(cluster, recipient, ENV, init, started);
      await waitForWrites(writer, 20);
    } finally {
      watch?.stop();
      acknowledged = await writer.stop();
    }
    const recipient = start.pod;
    // The first try went to the previous ordinal and failed on the cut stream; the second went elsewhere.
    const failed = start.initLog.filter((event) => event.msg === 'clone failed; trying the next donor');
    expect(failed.map((event) => event.donor)).toEqual(['mysql-2']);
    expect(String(failed[0]?.error)).toMatch(/mysql-2/);
    expect(cloneInfoOf(recipient)?.donor).toMatch(/^mysql-[01]$/);
    expect(markerOf(recipient)?.how).toBe('clone');
    expect(existsSync(join(recipient.paths.data, '.mysql-sts-agent', 'staging'))).toBe(false);
    // The watch looked while the stream landed and while the server ran, and never saw a server without the marker.
    expect(watch?.stagingSamples).toBeGreaterThan(0);
    expect(watch?.serverSamples).toBeGreaterThan(0);
    expect(watch?.violations).toEqual([]);
    // The donor's sidecar survived its tool, counted the backup as failed and is still Ready.
    expect(await metricsOf(donor)).toMatch(/^mysql_sts_clone_served_total\{result="failed"\} 1$/m);
    expect((await readyzOf(donor)).status).toBe(200);
    expect(writer.errors).toBe(0);
    expect(acknowledged.length).toBeGreaterThan(ackedAtKill);

    const report = await checkNothingLost({
      scenario: '5. donor killed mid-clone',
      primary,
      replicas: [cluster.pod(1), donor, recipient],
      acknowledged,
      table: 'app.mid_clone',
      timeToReadyMs: start.timeToReadyMs,
    });
    expectNothingLost(report, ['mysql-0', 'mysql-1', 'mysql-2', 'mysql-3']);
  });

  it("8. mysql-0's volume is lost: it comes back cloned from the most advanced replica, not empty, and the replicas follow it again", async () => {
    const replicas = cluster.listPods().filter((pod) => pod.n > 0);
    // mysql-3 receives everything but cannot apply the writer's rows, so at the loss it is the least advanced peer.
    const laggard = cluster.pod(3);
    const hold = await laggard.connect();
    await hold.query('LOCK TABLES app.lost_primary WRITE');
    // The writer reaches whichever mysql-0 exists now.
    const writer = new RowWriter(() => cluster.pod(0).connect(), 'app.lost_primary');
    writer.start();
    let acknowledged: number[];
    let start: PodStart;
    let positionAtLoss: string;
    try {
      await waitForWrites(writer, 50);
      positionAtLoss = await freezeUntilReplicated(primary, replicas, laggard);
      expect(await gtidSlavePos(laggard)).not.toBe(positionAtLoss);
      await cluster.deletePod(0);
      cluster.removePodData(0);
      start = await startPod(cluster, 0, ENV);
      await hold.query('UNLOCK TABLES');
      await waitForWrites(writer, 50);
    } finally {
      await hold.end();
      acknowledged = await writer.stop();
    }
    primary = start.pod;
    expect(initPlanOf(start.initLog)).toBe('clone');
    const clone = cloneInfoOf(primary);
    expect(clone?.donor).toMatch(/^mysql-[12]$/);
    // The clone holds exactly what the lost volume held: every transaction mysql-0 had logged.
    expect(clone?.coordinates.gtid).toBe(positionAtLoss);
    const [row] = await primary.query<{ ro: number }>('SELECT @@read_only AS ro');
    expect(row?.ro).toBe(0);

    const report = await checkNothingLost({
      scenario: '8. primary volume lost',
      primary,
      replicas,
      acknowledged,
      table: 'app.lost_primary',
      timeToReadyMs: start.timeToReadyMs,
    });
    expectNothingLost(report, ['mysql-0', ...replicas.map((replica) => replica.name)]);
    for (const replica of replicas) {
      const status = await slaveStatusOf(replica);
      expect([status.Slave_IO_Running, status.Slave_SQL_Running, status.Last_IO_Errno, status.Last_IO_Error]).toEqual(['Yes', 'Yes', 0, '']);
      await waitForReadyz(replica, 200, { timeoutMs: 30_000 });
    }
  });
});

/**
 * Asynchronous replication can lose what the primary acknowledged in its last
 * milliseconds when its disk is lost; that is the replication mode, not the
 * agent. So the loss happens at a moment when the replicas hold everything:
 * FLUSH TABLES WITH READ LOCK holds the writer's next insert unacknowledged
 * (the writer keeps running), the replicas catch up, then the volume goes.
 * Returns mysql-0's GTID position at that moment.
 */
async function freezeUntilReplicated(primary: Pod, replicas: readonly Pod[], laggard: Pod): Promise<string> {
  const lock = await primary.connect();
  lock.on('error', () => undefined); // the connection dies with the pod
  await lock.query('FLUSH TABLES WITH READ LOCK');
  const [row] = await primary.query<{ pos: string }>('SELECT @@gtid_binlog_pos AS pos');
  const position = String(row?.pos);
  for (const replica of replicas) {
    // The laggard only has to have received it (its relay log), the others to have applied it.
    const read = replica === laggard ? () => gtidIoPos(replica) : () => gtidSlavePos(replica);
    await waitFor(async () => ((await read()) === position ? true : undefined), {
      what: `${replica.name} to hold everything up to ${position}`,
      timeoutMs: 60_000,
      intervalMs: 100,
    });
  }
  return position;
}

async function gtidSlavePos(pod: Pod): Promise<string> {
  const [row] = await pod.query<{ pos: string }>('SELECT @@gtid_slave_pos AS pos');
  return String(row?.pos);
}

async function gtidIoPos(pod: Pod): Promise<string> {
  const [row] = await pod.query<{ Gtid_IO_Pos: string }>('SHOW SLAVE STATUS');
  return String(row?.Gtid_IO_Pos);
}
