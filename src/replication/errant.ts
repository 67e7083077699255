import { parseMariaDbGtidList, parseMySqlGtidSet } from '../mysql/gtid.js';
import type { Flavor } from '../mysql/server-version.js';

/**
 * Errant transactions: GTIDs a replica has that the primary lacks. mysql-0 is
 * the only writer of the set, so every legitimate GTID originates there; a GTID
 * this replica originated itself (its server_id on MariaDB, its server_uuid on
 * MySQL) was written around replication and exists nowhere else. Returns the
 * offending part, or undefined.
 */
export function findErrant(input: {
  flavor: Flavor;
  /** MariaDB gtid_binlog_pos / MySQL gtid_executed of the replica. */
  position: string;
  /** MariaDB: the primary's server_id; MySQL: this replica's server_uuid. */
  primaryServerId: number;
  ownServerUuid: string | undefined;
}): string | undefined {
  if (input.position.trim() === '') return undefined;
  if (input.flavor === 'mariadb') {
    const errant = [...parseMariaDbGtidList(input.position)]
      .filter(([, last]) => last.serverId !== input.primaryServerId)
      .map(([domain, last]) => `${domain}-${last.serverId}-${last.seq}`);
    return errant.length > 0 ? errant.join(',') : undefined;
  }
  const own = input.ownServerUuid?.toLowerCase();
  if (own === undefined) return undefined;
  const errant = [...parseMySqlGtidSet(input.position)]
    .filter(([source]) => source === own || source.startsWith(`${own}:`))
    .map(([source, intervals]) => `${source}:${intervals.map(([a, b]) => (a === b ? `${a}` : `${a}-${b}`)).join(':')}`);
  return errant.length > 0 ? errant.join(',') : undefined;
}

/** How many transactions the errant part stands for (for the metric). */
export function errantCount(flavor: Flavor, errant: string | undefined): number {
  if (errant === undefined) return 0;
  if (flavor === 'mariadb') return parseMariaDbGtidList(errant).size;
  let total = 0;
  for (const intervals of parseMySqlGtidSet(errant).values()) for (const [a, b] of intervals) total += b - a + 1;
  return total;
}
