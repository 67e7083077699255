import type { Pod } from '../../cluster/pod.js';
import { numbersTable } from '../../support/numbers.js';

const BATCHES = 4;
const ROWS_PER_BATCH = 4096;

/**
 * ~64 MB of incompressible rows in `app.bulk` (the `app` database must exist),
 * so a clone lasts long enough to be cut while it flows. SQL both MariaDB and
 * MySQL run (RANDOM_BYTES returns at most 1024 bytes on both; no sequence
 * tables on MySQL). test/support/bulk-data.ts's loadBulk does the same on
 * MariaDB only, with MariaDB's sequence tables.
 */
export async function loadPortableBulk(pod: Pod): Promise<void> {
  await pod.query('CREATE TABLE app.bulk (id INT PRIMARY KEY, payload VARBINARY(4096))');
  for (let batch = 0; batch < BATCHES; batch++) {
    await pod.query(
      `INSERT INTO app.bulk SELECT n + ${batch * ROWS_PER_BATCH}, CONCAT(RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024))
       FROM ${numbersTable(ROWS_PER_BATCH)} AS numbers`,
    );
  }
}
