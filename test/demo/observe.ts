import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { HTTP_PORT } from '../cluster/agent.js';
import type { Pod } from '../cluster/pod.js';
import { isOutsideBackup } from '../../src/data-dir/backup-size.js';
import { DATA_DIR_AGENT_DIR } from '../../src/data-dir/layout.js';
import { directorySize } from '../../src/fs/directory-size.js';
import type { StatusDocument } from '../../src/http/status-document.js';
import type { PodRuntime } from './kubelet.js';
import type { CloneProgress, PodView } from './view.js';

/** The table the writer fills; the demo counts it on every pod. */
export const ROWS_TABLE = 'app.rows';

const HTTP_TIMEOUT_MS = 2_000;

/**
 * Reads one pod the way an operator would: /readyz and /status from its
 * sidecar, a row count from its server, and during init the clone's progress
 * from the volume (bytes in the staging dir against the donor's data size).
 * Anything that does not answer is shown as unknown, never as an error.
 */
export async function observePod(input: { name: string; pod: Pod | undefined; runtime: PodRuntime; clone: CloneWatch }): Promise<PodView> {
  const { name, pod, runtime } = input;
  const view: PodView = {
    name,
    phase: runtime.phase,
    role: runtime.n === 0 ? 'primary' : 'replica',
    ready: null,
    lagSeconds: null,
    rows: null,
    gtid: null,
    clone: null,
    cloned: null,
    // The demo's restarts, and the harness's own restarts of a server image that exits on its own (MySQL's clone).
    restarts: runtime.restarts + (pod?.server.restartCount ?? 0),
  };
  if (pod === undefined || runtime.phase === 'pending' || runtime.phase === 'terminating') return view;
  if (runtime.phase === 'init') {
    view.clone = await input.clone.progress(pod);
    if (view.clone !== null) view.phase = 'cloning';
    return view;
  }
  const [ready, status, rows] = await Promise.allSettled([readyOf(pod), statusOf(pod), rowsOf(pod)]);
  if (ready.status === 'fulfilled') view.ready = ready.value;
  if (rows.status === 'fulfilled') view.rows = rows.value;
  if (status.status === 'fulfilled') {
    const document = status.value;
    view.role = document.role;
    view.lagSeconds = document.lag?.known === true ? document.lag.seconds : null;
    view.gtid = document.server.gtidPosition;
    if (document.clone !== null) view.cloned = { donor: document.clone.donor, bytes: document.clone.bytes, seconds: document.clone.seconds };
    // A CLONE-plugin clone runs after init, in the server: its sidecar reports the progress.
    const cloning = document.cloning;
    if (cloning?.progress !== undefined && (cloning.phase === 'cloning' || cloning.phase === 'restarting')) {
      view.phase = 'cloning';
      view.clone = { donor: cloning.donor ?? null, bytes: cloning.progress.bytes, expectedBytes: cloning.progress.estimatedBytes || null };
    }
  }
  return view;
}

async function readyOf(pod: Pod): Promise<boolean> {
  return (await pod.httpGet(HTTP_PORT, '/readyz', { timeoutMs: HTTP_TIMEOUT_MS })).status === 200;
}

export async function statusOf(pod: Pod): Promise<StatusDocument> {
  const response = await pod.httpGet(HTTP_PORT, '/status', { timeoutMs: HTTP_TIMEOUT_MS });
  if (response.status !== 200) throw new Error(`GET /status of ${pod.name} answered ${response.status}`);
  return JSON.parse(response.body) as StatusDocument;
}

export async function rowsOf(pod: Pod): Promise<number> {
  const [row] = await pod.query<{ n: number }>(`SELECT COUNT(*) AS n FROM ${ROWS_TABLE}`);
  return Number(row?.n);
}

function donorEstimate(pod: Pod): Promise<number> {
  return directorySize(pod.paths.data, isOutsideBackup);
}

/** `mysql_sts_clone_serving 1` in a sidecar's /metrics: that pod is streaming a backup now. */
export function isServingClone(metricsText: string): boolean {
  return /^mysql_sts_clone_serving 1$/m.test(metricsText);
}

/**
 * Clone progress of pods in their init container. The donor is the pod whose
 * sidecar says it is serving a backup (read once per clone, with its size);
 * until one does, the previous ordinal, which init prefers (ARCHITECTURE.md, "The init decision").
 */
export class CloneWatch {
  private readonly donors = new Map<string, { donor: string; bytes: number }>();

  constructor(private readonly peers: () => Pod[]) {}

  async progress(pod: Pod): Promise<CloneProgress | null> {
    const staging = join(pod.paths.data, DATA_DIR_AGENT_DIR, 'staging');
    if (!existsSync(staging)) {
      this.donors.delete(pod.name);
      return null;
    }
    const bytes = await directorySize(staging, () => false);
    let donor = this.donors.get(pod.name);
    if (donor === undefined) {
      donor = await this.servingDonor(pod);
      if (donor !== undefined) this.donors.set(pod.name, donor);
    }
    donor ??= await this.likelyDonor(pod);
    return { donor: donor?.donor ?? null, bytes, expectedBytes: donor?.bytes ?? null };
  }

  private async servingDonor(recipient: Pod): Promise<{ donor: string; bytes: number } | undefined> {
    for (const peer of this.peers()) {
      if (peer.n === recipient.n) continue;
      const metrics = await peer.httpGet(HTTP_PORT, '/metrics', { timeoutMs: HTTP_TIMEOUT_MS }).catch(() => undefined);
      if (metrics !== undefined && isServingClone(metrics.body)) return { donor: peer.name, bytes: await donorEstimate(peer) };
    }
    return undefined;
  }

  private async likelyDonor(recipient: Pod): Promise<{ donor: string; bytes: number } | undefined> {
    const peer = this.peers().find((candidate) => candidate.n === recipient.n - 1);
    return peer === undefined ? undefined : { donor: peer.name, bytes: await donorEstimate(peer) };
  }
}
