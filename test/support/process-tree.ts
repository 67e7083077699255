import { readdirSync, readFileSync } from 'node:fs';
import { isAlive, readStartTime } from '../cluster/processes.js';

/** A process as it was seen: its start time makes the record unambiguous if the PID is recycled later. */
export interface SeenProcess {
  readonly pid: number;
  readonly startTime: string;
  /** `/proc/<pid>/comm`: `mbstream`, `mariadb-backup`, `node`… */
  readonly comm: string;
}

function read(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
}

function threadsOf(pid: number): string[] {
  try {
    return readdirSync(`/proc/${pid}/task`);
  } catch {
    return [];
  }
}

/** Every live descendant of `pid` right now (each thread's children, recursively), by PID and start time. */
export function descendantsOf(pid: number): SeenProcess[] {
  const children = threadsOf(pid).flatMap((tid) => read(`/proc/${pid}/task/${tid}/children`).split(' ').filter(Boolean).map(Number));
  return children.flatMap((child) => {
    const startTime = readStartTime(child);
    if (startTime === undefined) return [];
    return [{ pid: child, startTime, comm: read(`/proc/${child}/comm`).trim() }, ...descendantsOf(child)];
  });
}

/** Those of `seen` that still run (same PID and start time, not a zombie). */
export function survivorsOf(seen: readonly SeenProcess[]): SeenProcess[] {
  return seen.filter((one) => isAlive(one));
}
