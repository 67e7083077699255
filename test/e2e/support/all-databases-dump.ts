import type { Pod } from '../../cluster/pod.js';
import type { Flavor } from '../../../src/mysql/server-version.js';
import { lastLine } from '../../../src/errors.js';

/** The server image's own dump client. */
const DUMP_CLIENT: Record<Flavor, string> = { mariadb: 'mariadb-dump', mysql: 'mysqldump' };

/**
 * A user's backup job on day one: `mariadb-dump --all-databases` (or
 * `mysqldump`) in the server container. It walks every database the server
 * lists, so a directory of the agent's in the data dir (MariaDB lists every
 * one, `#mysql50#.mysql-sts-agent`) fails it with error 1102. Table
 * definitions only (`--no-data`): the walk is what can fail, and the rows are
 * the nothing-lost check's business. `ok`, or the exit code and the last line.
 */
export async function dumpAllDatabases(pod: Pod, flavor: Flavor): Promise<string> {
  const result = await pod.execClient(DUMP_CLIENT[flavor], ['--all-databases', '--no-data', '--skip-lock-tables'], { timeoutMs: 120_000 });
  return result.exitCode === 0 ? 'ok' : `exit ${result.exitCode}: ${lastLine(result.stderr)}`;
}
