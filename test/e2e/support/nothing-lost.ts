import type { Pod } from '../../cluster/pod.js';
import { missingRows, waitForSameData } from '../../support/pod-probes.js';
import { tableDigest } from '../../support/pod-inspect.js';
import { serverVersionOf } from '../../support/server-sql.js';
import { formatServerVersion } from '../../../src/mysql/server-version.js';
import { dumpAllDatabases } from './all-databases-dump.js';
import { recordScenario, type ScenarioResult } from './scenario-table.js';

/**
 * The proof every scenario ends with: each pod has every acknowledged row and
 * the same CHECKSUM TABLE as the primary, and a user's `--all-databases` dump
 * succeeds on each (the agent's state is no database). Waits for replicas to catch up first,
 * then records the scenario's line of the summary table, with the server the
 * primary runs (`SELECT VERSION()`).
 */
export interface NothingLostCheck {
  readonly scenario: string;
  readonly primary: Pod;
  readonly replicas: readonly Pod[];
  readonly acknowledged: readonly number[];
  readonly table?: string;
  readonly timeToReadyMs?: number | undefined;
  /** A cut-off replica's reconnect and catch-up times (ScenarioResult). */
  readonly reconnect?: { readonly reconnectMs: number; readonly catchUpMs: number } | undefined;
  readonly catchUpTimeoutMs?: number;
}

export interface NothingLostReport extends ScenarioResult {
  /** Acknowledged ids missing per pod: every list must be empty. */
  readonly missing: Readonly<Record<string, readonly number[]>>;
  /** `--all-databases` dump per pod: `ok`, or how it failed (see all-databases-dump.ts). */
  readonly dumps: Readonly<Record<string, string>>;
}

export async function checkNothingLost(check: NothingLostCheck): Promise<NothingLostReport> {
  const table = check.table ?? 'app.rows';
  await waitForSameData(check.primary, check.replicas, table, check.catchUpTimeoutMs ?? 60_000);
  const pods = [check.primary, ...check.replicas];
  const rowsPerPod: Record<string, number> = {};
  const missing: Record<string, readonly number[]> = {};
  const checksums = new Set<string>();
  const dumps: Record<string, string> = {};
  const version = await serverVersionOf(check.primary);
  for (const pod of pods) {
    dumps[pod.name] = await dumpAllDatabases(pod, version.flavor);
    const digest = await tableDigest(pod, table);
    rowsPerPod[pod.name] = digest.count;
    checksums.add(digest.checksum);
    missing[pod.name] = await missingRows(pod, table, check.acknowledged);
  }
  const result: ScenarioResult = {
    scenario: check.scenario,
    server: formatServerVersion(version),
    rowsWritten: check.acknowledged.length,
    rowsPerPod,
    checksumsEqual: checksums.size === 1,
    timeToReadyMs: check.timeToReadyMs,
    reconnectMs: check.reconnect?.reconnectMs,
    catchUpMs: check.reconnect?.catchUpMs,
  };
  recordScenario(result);
  return { ...result, missing, dumps };
}
