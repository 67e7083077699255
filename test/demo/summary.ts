import type { Pod } from '../cluster/pod.js';
import { waitFor } from '../cluster/wait.js';
import { tableDigest } from '../support/pod-inspect.js';
import { ROWS_TABLE } from './observe.js';

/**
 * The "nothing lost" proof at the end: every row the writer had acknowledged
 * is on every pod, and the table checksums are equal.
 */

export interface PodDigest {
  name: string;
  /** null: the pod did not answer. */
  rows: number | null;
  missing: number | null;
  checksum: string | null;
}

export interface Summary {
  acknowledged: number;
  pods: readonly PodDigest[];
}

export function checksumsEqual(summary: Summary): boolean {
  const sums = summary.pods.map((pod) => pod.checksum);
  return sums.length > 0 && sums.every((sum) => sum !== null && sum === sums[0]);
}

export function nothingLost(summary: Summary): boolean {
  return summary.pods.length > 0 && summary.pods.every((pod) => pod.missing === 0);
}

const yesNo = (value: boolean): string => (value ? 'yes' : 'no');

/** One line, for people and for the e2e test that reads the demo's output. */
export function renderSummary(summary: Summary): string {
  const pods = summary.pods.map(
    (pod) => `${pod.name} rows=${pod.rows ?? '?'} missing=${pod.missing ?? '?'} checksum=${pod.checksum ?? '?'}`,
  );
  const verdict = `nothing lost: ${yesNo(nothingLost(summary))}, checksums equal: ${yesNo(checksumsEqual(summary))}`;
  return ['summary: acknowledged=' + String(summary.acknowledged), ...pods, verdict].join(' | ');
}

async function digestOf(pod: Pod, acknowledged: readonly number[]): Promise<PodDigest> {
  try {
    const digest = await tableDigest(pod, ROWS_TABLE);
    const ids = new Set((await pod.query<{ id: number }>(`SELECT id FROM ${ROWS_TABLE}`)).map((row) => Number(row.id)));
    return { name: pod.name, rows: digest.count, missing: acknowledged.filter((id) => !ids.has(id)).length, checksum: digest.checksum };
  } catch {
    return { name: pod.name, rows: null, missing: null, checksum: null };
  }
}

/** Waits (up to `timeoutMs`) for the replicas to apply everything, then digests every pod. */
export async function summarize(pods: readonly Pod[], acknowledged: readonly number[], timeoutMs: number): Promise<Summary> {
  const settled = async (): Promise<Summary | undefined> => {
    const summary = { acknowledged: acknowledged.length, pods: await Promise.all(pods.map((pod) => digestOf(pod, acknowledged))) };
    return nothingLost(summary) && checksumsEqual(summary) ? summary : undefined;
  };
  try {
    return await waitFor(settled, { what: 'every pod to hold every acknowledged row', timeoutMs, intervalMs: 500 });
  } catch {
    // Not settled in time: report what is there; the verdict says no.
    return { acknowledged: acknowledged.length, pods: await Promise.all(pods.map((pod) => digestOf(pod, acknowledged))) };
  }
}
