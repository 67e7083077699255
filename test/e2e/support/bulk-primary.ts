import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { loadBulk } from '../../support/bulk-data.js';
import { startPrimaryWithRows } from '../../support/pod-probes.js';

/**
 * mysql-0 of a new set for scenarios that clone: `app.rows`, ~64 MB in
 * `app.bulk` so a clone lasts long enough to act on while it flows, and one
 * empty table per scenario (each writer numbers its rows from 1).
 */
export async function startBulkPrimary(cluster: Cluster, env: Record<string, string>, scenarioTables: readonly string[]): Promise<Pod> {
  const primary = await startPrimaryWithRows(cluster, env);
  await loadBulk(primary);
  for (const table of scenarioTables) await primary.query(`CREATE TABLE app.${table} (id INT PRIMARY KEY, note VARCHAR(64))`);
  return primary;
}
