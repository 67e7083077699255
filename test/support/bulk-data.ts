import type { Pod } from '../cluster/pod.js';

/**
 * ~64 MB of incompressible rows in `app.bulk` (the `app` database must exist),
 * so a clone stream lasts long enough to be cut while it flows.
 */
export async function loadBulk(pod: Pod): Promise<void> {
  await pod.query('CREATE TABLE app.bulk (id INT PRIMARY KEY, payload VARBINARY(4096))');
  for (let batch = 0; batch < 4; batch++) {
    await pod.query(
      `INSERT INTO app.bulk SELECT seq, CONCAT(RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024), RANDOM_BYTES(1024))
       FROM app.seq_${batch * 4096 + 1}_to_${(batch + 1) * 4096}`,
    );
  }
}
