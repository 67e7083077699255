import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInitContainer, startAgentPod, startContainers, startSidecar } from '../../cluster/agent.js';
import { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { waitFor } from '../../cluster/wait.js';
import { loadBulk } from '../../support/bulk-data.js';
import { cloneInfoOf } from '../../support/pod-inspect.js';
import { readyzOf, statusOf, waitForSameData, waitForStatus } from '../../support/pod-probes.js';
import { fillVolume, mountSmallVolume, resizeSmallVolume, volumeUsage } from '../../support/small-volume.js';
import { stopSidecar } from '../../e2e/support/pod-lifecycle.js';
import { parseLog, type LogEvent } from '../../e2e/support/pod-start.js';

/**
 * A MySQL 9.7 pod whose volume cannot hold the CLONE plugin's copy
 * (ARCHITECTURE.md, "Clone failures"): the sidecar says so plainly, tries no
 * other donor and waits 10 min instead of cloning again every few seconds; a
 * grown volume clones on the pod's next start. The volume is a tmpfs the
 * server in its root filesystem writes to (test/support/small-volume.ts).
 */

const OVERLAY = 'k8s/overlays/mysql-9.7';
const MIB = 1024 ** 2;
const ENV = { READY_CHECKS: '1' };
/** The 10 min the sidecar waits after a failure of its own volume (clone-plugin/provisioner.ts). */
const PERMANENT_RETRY_MS = 600_000;
/**
 * Longer than the next try would take after any other failure (a 1 s check,
 * then a backoff under 4 s after one failure), so a second CLONE shows.
 */
const RETRY_WINDOW_MS = 6_000;

interface Attempt {
  /** The sidecar's log lines of this start. */
  readonly log: () => LogEvent[];
}

/** The pod started as the StatefulSet starts it, up to the sidecar's first failed clone; `whileCloning` runs once the copy writes. */
async function failedClone(cluster: Cluster, pod: Pod, whileCloning?: () => Promise<void>): Promise<Attempt> {
  const init = await runInitContainer(cluster, pod, ENV);
  expect(init.exitCode, init.stderr).toBe(0);
  await pod.startServer({ timeoutMs: 120_000 });
  const file = join(pod.paths.logs, 'sidecar.log');
  const offset = existsSync(file) ? statSync(file).size : 0;
  const emptyServer = volumeUsage(pod).used;
  startSidecar(cluster, pod, ENV);
  if (whileCloning !== undefined) {
    // The clone's files land beside the empty server's: 16 MiB more on the volume is the copy under way.
    await waitFor(async () => (volumeUsage(pod).used > emptyServer + 16 * MIB ? true : undefined), { what: `${pod.name}'s clone to write`, timeoutMs: 60_000, intervalMs: 5 });
    await whileCloning();
  }
  await waitForStatus(pod, 'a failed clone', (doc) => doc.cloning?.phase === 'waiting', 60_000);
  return { log: () => parseLog(readFileSync(file, 'utf8').slice(offset)) };
}

/** The server's record of its last clone: one row, replaced by each CLONE INSTANCE. */
async function lastClone(pod: Pod): Promise<{ ERROR_NO: number; ERROR_MESSAGE: string; BEGIN_TIME: unknown; STATE: string }> {
  const rows = await pod.query<{ ERROR_NO: number; ERROR_MESSAGE: string; BEGIN_TIME: unknown; STATE: string }>(
    'SELECT STATE, ERROR_NO, ERROR_MESSAGE, BEGIN_TIME FROM performance_schema.clone_status',
  );
  expect(rows).toHaveLength(1);
  return rows[0] as { ERROR_NO: number; ERROR_MESSAGE: string; BEGIN_TIME: unknown; STATE: string };
}

/**
 * The failure is reported once, as this volume's, in /status, /readyz and the
 * log, and stays the pod's state: no other CLONE follows it in the retry window
 * (the server's clone_status keeps its row, the sidecar sent one statement).
 */
async function expectReportedOnce(pod: Pod, attempt: Attempt, lastError: string): Promise<void> {
  const first = await lastClone(pod);
  await sleep(RETRY_WINDOW_MS);
  expect(await lastClone(pod)).toEqual(first);
  expect((await statusOf(pod)).cloning).toMatchObject({ phase: 'waiting', donor: 'mysql-0', failures: 1, lastError });
  expect(await readyzOf(pod)).toMatchObject({ status: 503, reasons: [`waiting to clone: ${lastError}`] });
  const log = attempt.log();
  expect(log.filter((event) => event.msg === 'cloning' && event['method'] === 'clone-plugin').map((event) => event['donor'])).toEqual(['mysql-0']);
  expect(log.filter((event) => event.msg === 'clone failed; trying the next donor')).toEqual([]);
  const waits = log.filter((event) => event.msg === 'not able to clone yet');
  expect(waits.map((event) => [event['error'], event['retryInMs']])).toEqual([[lastError, PERMANENT_RETRY_MS]]);
}

/** The kubelet stopping the pod's containers (the pod and its volume stay). */
async function stopContainers(pod: Pod): Promise<void> {
  await stopSidecar(pod);
  await pod.stopServer();
}

describe('CLONE plugin into a volume that cannot hold it (MySQL 9.7, issue 13, part 3)', () => {
  let cluster: Cluster;
  let donor: Pod;
  let recipient: Pod;

  beforeAll(async () => {
    cluster = await Cluster.create({ overlay: OVERLAY });
    donor = await startAgentPod(cluster, 0, ENV);
    await donor.query('CREATE DATABASE app');
    await loadBulk(donor);
    // ~130 MB of rows: the copy lasts long enough to fill the recipient's volume while it runs.
    await donor.query('CREATE TABLE app.bulk2 AS SELECT * FROM app.bulk');
    recipient = await cluster.addPod(1);
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it("a volume too small from the start: MySQL's own space check (ER_CLONE_DISK_SPACE), reported once, no retry for 10 min", async () => {
    // Room for the empty server the image initialises (~140 MB), not for the clone.
    await mountSmallVolume(recipient, 200 * MIB);
    const attempt = await failedClone(cluster, recipient);
    const clone = await lastClone(recipient);
    expect(clone).toMatchObject({ STATE: 'Failed', ERROR_NO: 3873 });
    expect(clone.ERROR_MESSAGE).toMatch(/^Clone estimated database size is [\d.]+ MiB\. Available space [\d.]+ MiB is not enough\.$/);
    await expectReportedOnce(recipient, attempt, `volume too small while cloning from mysql-0: ${clone.ERROR_MESSAGE}`);
    await stopContainers(recipient);
  });

  it('a volume that fills during the copy: the OS error (errno 28), reported once, no retry for 10 min', async () => {
    // Room for the clone (MySQL's check passes): another writer takes the rest once the copy runs.
    await mountSmallVolume(recipient, 600 * MIB);
    const attempt = await failedClone(cluster, recipient, () => fillVolume(recipient));
    const clone = await lastClone(recipient);
    // ER_ERROR_ON_WRITE, naming the file the copy was writing.
    expect(clone).toMatchObject({ STATE: 'Failed', ERROR_NO: 1026 });
    expect(clone.ERROR_MESSAGE).toMatch(/^Error writing file '[^']+' \(errno: 28 - No space left on device\)$/);
    await expectReportedOnce(recipient, attempt, `no space left on the data volume (ENOSPC) while cloning from mysql-0: ${clone.ERROR_MESSAGE}`);
  });

  it('the grown volume clones on the pod\'s next start, and the pod ends Ready with every row', async () => {
    await stopContainers(recipient);
    await resizeSmallVolume(recipient, 1200 * MIB);
    const init = await runInitContainer(cluster, recipient, ENV);
    expect(init.exitCode, init.stderr).toBe(0);
    await startContainers(cluster, recipient, ENV, 120_000);
    expect(cloneInfoOf(recipient)?.donor).toBe('mysql-0');
    expect(await lastClone(recipient)).toMatchObject({ STATE: 'Completed', ERROR_NO: 0 });
    for (const table of ['app.bulk', 'app.bulk2']) await waitForSameData(donor, [recipient], table);
    expect((await readyzOf(recipient)).status).toBe(200);
  });
});

