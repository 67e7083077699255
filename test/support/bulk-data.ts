import { startAgentPod } from '../cluster/agent.js';
import type { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { numbersTable } from './numbers.js';

const BATCHES = 4;
const ROWS_PER_BATCH = 4096;

/**
 * ~64 MB of incompressible rows in `app.bulk` (the `app` database must exist),
 * so a clone stream lasts long enough to be cut while it flows. SQL both
 * MariaDB and MySQL run (RANDOM_BYTES returns at most 1024 bytes on both).
 */
export async function loadBulk(pod: Pod): Promise<void> {
  await pod.query('CREATE TABLE app.bulk (id INT PRIMARY KEY, payload VARBINARY(4096))');
  for (let batch = 0; batch < BATCHES; batch++) {
    await pod.query(
      `INSERT INTO app.bulk SELECT n + ${batch * ROWS_PER_BATCH}, CONCAT(RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024))
       FROM ${numbersTable(ROWS_PER_BATCH)} AS numbers`,
    );
  }
}

/**
 * mysql-0 started as a donor with ~130 MB of rows (`app.bulk` and its copy
 * `app.bulk2`): a clone lasts long enough to fill the recipient's volume
 * while it flows.
 */
export async function startBulkDonor(cluster: Cluster, env: Record<string, string> = {}): Promise<Pod> {
  const donor = await startAgentPod(cluster, 0, env);
  await donor.query('CREATE DATABASE app');
  await loadBulk(donor);
  await donor.query('CREATE TABLE app.bulk2 AS SELECT * FROM app.bulk');
  return donor;
}
