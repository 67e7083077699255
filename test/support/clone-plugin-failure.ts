import { expect } from 'vitest';
import { runInitContainer, startSidecar } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { waitFor } from '../cluster/wait.js';
import { stopSidecar } from '../e2e/support/pod-lifecycle.js';
import { sidecarLogFromNow, type LogEvent } from '../e2e/support/pod-start.js';
import type { StatusDocument } from '../../src/http/status-document.js';
import { readyzOf, statusOf, waitForStatus } from './pod-probes.js';
import { volumeUsage } from './small-volume.js';

/**
 * A MySQL pod's CLONE-plugin clone that fails on its own volume, as the
 * sidecar drives it (ARCHITECTURE.md, "Clone failures"), and what the tests
 * read of it: the sidecar's report, its log, the server's clone_status.
 */

const MIB = 1024 ** 2;
/** The 10 min the sidecar waits after a failure of its own volume (clone-plugin/provisioner.ts). */
export const PERMANENT_RETRY_MS = 600_000;
/**
 * Longer than the next try would take after any other failure (the sidecar's
 * 1 s check, then a backoff under 4 s after one failure): a pod that is still
 * at one CLONE after it was not retried into the ground.
 */
export const RETRY_WINDOW_MS = 6_000;

export interface FailedClone {
  /** The sidecar's log lines since it started. */
  readonly log: () => LogEvent[];
  /** The sidecar's report once it gave up (`/status` `cloning`). */
  readonly report: NonNullable<StatusDocument['cloning']>;
}

/**
 * Starts the pod as the StatefulSet does (init, server, sidecar) and resolves
 * once the sidecar's clone has failed; `whileCloning` runs as soon as the copy
 * writes to the volume (16 MiB beside the empty server's files).
 */
export async function startUntilCloneFails(cluster: Cluster, pod: Pod, env: Record<string, string>, whileCloning?: () => Promise<void>): Promise<FailedClone> {
  const init = await runInitContainer(cluster, pod, env);
  expect(init.exitCode, init.stderr).toBe(0);
  await pod.startServer({ timeoutMs: 120_000 });
  const log = sidecarLogFromNow(pod);
  const emptyServer = volumeUsage(pod).used;
  startSidecar(cluster, pod, env);
  if (whileCloning !== undefined) {
    await waitFor(async () => (volumeUsage(pod).used > emptyServer + 16 * MIB ? true : undefined), { what: `${pod.name}'s clone to write`, timeoutMs: 60_000, intervalMs: 5 });
    await whileCloning();
  }
  const status = await waitForStatus(pod, 'a failed clone', (doc) => doc.cloning?.phase === 'waiting', 60_000);
  if (status.cloning === null) throw new Error(`${pod.name}'s /status lost its clone report`);
  return { log, report: status.cloning };
}

export interface CloneStatusRow {
  readonly STATE: string;
  readonly ERROR_NO: number;
  readonly ERROR_MESSAGE: string;
  readonly BEGIN_TIME: unknown;
}

/** The server's record of its last clone: one row, replaced by each CLONE INSTANCE. */
export async function lastClone(pod: Pod): Promise<CloneStatusRow> {
  const rows = await pod.query<CloneStatusRow & Record<string, unknown>>('SELECT STATE, ERROR_NO, ERROR_MESSAGE, BEGIN_TIME FROM performance_schema.clone_status');
  expect(rows).toHaveLength(1);
  return rows[0] as CloneStatusRow;
}

/**
 * The failure as the pod reports it, and that it stays so: `lastError` in
 * /status and /readyz, one CLONE INSTANCE in the log, no next donor, and the
 * 10 min wait logged with the same words.
 */
export async function expectReportedOnce(pod: Pod, failed: FailedClone, lastError: string): Promise<void> {
  expect((await statusOf(pod)).cloning).toMatchObject({ phase: 'waiting', failures: 1, lastError });
  expect(await readyzOf(pod)).toMatchObject({ status: 503, reasons: [`waiting to clone: ${lastError}`] });
  const log = failed.log();
  expect(log.filter((event) => event.msg === 'cloning' && event['method'] === 'clone-plugin')).toHaveLength(1);
  expect(log.filter((event) => event.msg === 'clone failed; trying the next donor')).toEqual([]);
  const waits = log.filter((event) => event.msg === 'not able to clone yet');
  expect(waits.map((event) => [event['error'], event['retryInMs']])).toEqual([[lastError, PERMANENT_RETRY_MS]]);
}

/** The kubelet stopping the pod's containers: the pod and its volume stay. */
export async function stopContainers(pod: Pod): Promise<void> {
  await stopSidecar(pod);
  await pod.stopServer();
}
