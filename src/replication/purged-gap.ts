import type { RowDataPacket } from 'mysql2/promise';
import { connectToServer } from '../mysql/connection.js';
import type { SourceSettings } from '../mysql/dialect.js';
import { gtidContains } from '../mysql/gtid.js';
import { SOURCE_GTID_SQL } from './source-snapshots.js';
import { isPurgedGap, type ReplicaStatus } from '../mysql/replica-status.js';
import type { Flavor } from '../mysql/server-version.js';

/** How often a replica stopped on 1236 asks the primary for its GTID set: a connection a second would be load for nothing. */
const ASK_EVERY_MS = 5_000;

export interface GapMemory {
  /** Since replication last ran, the primary was seen lacking this replica's transactions. */
  primaryLacked: boolean;
  gapAskedAt: number;
  gapAnswer: boolean | undefined;
}

/**
 * For a replica stopped on a purged gap (1236): does the primary's GTID set
 * hold this replica's? Asked as the replication user, which may read global
 * variables like any user; no answer (the primary down, a parse error) is
 * undefined, which keeps the replica stopped (replication/plan.ts).
 */
export async function primaryHoldsReplica(input: {
  source: SourceSettings;
  flavor: Flavor;
  status: ReplicaStatus | undefined;
  replicaGtid: string;
  memory: GapMemory;
  now: number;
}): Promise<boolean | undefined> {
  const { memory } = input;
  const stopped = input.status !== undefined && (input.status.ioState === 'No' || !input.status.sqlRunning);
  if (input.status === undefined || !stopped || !isPurgedGap(input.status)) {
    if (input.status?.ioRunning === true && input.status.sqlRunning) memory.primaryLacked = false;
    return undefined;
  }
  if (input.now - memory.gapAskedAt >= ASK_EVERY_MS) {
    memory.gapAskedAt = input.now;
    memory.gapAnswer = await askPrimary(input.source, input.flavor, input.replicaGtid);
    if (memory.gapAnswer === false) memory.primaryLacked = true;
  }
  return memory.gapAnswer;
}

async function askPrimary(source: SourceSettings, flavor: Flavor, replicaGtid: string): Promise<boolean | undefined> {
  try {
    const connection = await connectToServer(source);
    try {
      const [rows] = await connection.query<RowDataPacket[]>(SOURCE_GTID_SQL[flavor]);
      return gtidContains(flavor, String(rows[0]?.gtid ?? '').replace(/\s+/g, ''), replicaGtid);
    } finally {
      await connection.end().catch(() => undefined);
    }
  } catch {
    return undefined;
  }
}
