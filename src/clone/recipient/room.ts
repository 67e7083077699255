import { statfs } from 'node:fs/promises';
import { AgentError } from '../../errors.js';
import { formatGiB } from '../failure.js';

/** Growth of the copy over the donor's estimate: pages written while the backup runs, and the redo log it copies meanwhile (not in the estimate). */
const GROWTH = 0.1;
/**
 * What the server's first start after the clone adds on the same volume: its
 * redo log (96 MiB by default on MariaDB 10.11, innodb_redo_log_capacity
 * 100 MiB on MySQL 8.0.30+) and ibtmp1 (12 MiB). A clone that fits but leaves
 * no room for them fails one step later, in the server container.
 */
const SERVER_START_BYTES = 128 * 1024 ** 2;

/** The free space a clone of `estimate` bytes (the donor's 101 answer) needs on the recipient's volume. */
export function roomNeeded(estimate: number): number {
  return Math.ceil(estimate * (1 + GROWTH)) + SERVER_START_BYTES;
}

/** Undefined when the clone fits, or the one line that says it cannot. Pure, for the unit tests. */
export function volumeTooSmall(input: { estimate: number | undefined; free: number; volume: string }): string | undefined {
  if (input.estimate === undefined) return undefined;
  const needed = roomNeeded(input.estimate);
  if (input.free >= needed) return undefined;
  return `volume too small: the clone needs about ${formatGiB(needed)}, ${input.volume} has ${formatGiB(input.free)} free`;
}

/**
 * Before GO: the donor has not started its backup yet, so a volume that cannot
 * hold the clone costs the donor nothing. Free space is what an unprivileged
 * writer gets (`bavail`): the agent does not run as root.
 */
export async function checkRoom(input: { estimate: number | undefined; dir: string; volume: string }): Promise<void> {
  const stats = await statfs(input.dir);
  const problem = volumeTooSmall({ estimate: input.estimate, free: stats.bavail * stats.bsize, volume: input.volume });
  if (problem !== undefined) throw new AgentError('clone', problem, { fault: 'volume-too-small' });
}
