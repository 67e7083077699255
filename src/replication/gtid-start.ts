/**
 * What to do with a clone's GTID position on MySQL before auto-positioning.
 * A restored server may already know the position (8.0.17+ keeps GTIDs with
 * InnoDB's undo logs) or know part of it (the last ones lived only in binlogs
 * the backup did not copy): auto-positioning from a partial gtid_executed
 * would fetch transactions the data already holds. `gtid_purged` can only be
 * set over a reset gtid_executed, and the reset is safe only when the server
 * holds nothing beyond the clone: otherwise its history would be rewritten.
 */
export type GtidStartPlan =
  | { readonly action: 'keep' }
  | { readonly action: 'reset-and-set' }
  | { readonly action: 'refuse'; readonly reason: string };

export interface GtidComparison {
  /** GTID_SUBSET(clone, gtid_executed): the server already has every transaction of the clone. */
  readonly covered: boolean;
  /** GTID_SUBSET(gtid_executed, clone): the server has nothing the clone lacks. */
  readonly within: boolean;
  readonly executed: string;
  readonly clone: string;
}

export function planGtidStart(comparison: GtidComparison): GtidStartPlan {
  if (comparison.covered) return { action: 'keep' };
  if (comparison.within) return { action: 'reset-and-set' };
  return {
    action: 'refuse',
    reason:
      `gtid_executed (${comparison.executed}) holds transactions outside the clone's position (${comparison.clone}): ` +
      'not resetting it; rebuild this replica from a peer (delete its volume)',
  };
}

/**
 * Where replication starts when it is configured for the first time.
 * MariaDB: the clone's GTID position while this server has logged nothing yet
 * (a fresh clone); once it has (a replica whose replication config was reset
 * later), its own binlog position is the truth: the clone's would rewind it and
 * replay transactions it already has (errant GTIDs were ruled out before).
 * MySQL: the clone's position whenever there is one; planGtidStart then
 * compares it with gtid_executed and changes nothing on a server already past it.
 */
export function chooseGtidStart(input: { flavor: 'mysql' | 'mariadb'; cloneGtid: string | undefined; serverGtid: string }): string | undefined {
  if (input.flavor === 'mysql') return input.cloneGtid === '' ? undefined : input.cloneGtid;
  return input.serverGtid === '' ? input.cloneGtid : input.serverGtid;
}
