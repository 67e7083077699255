import { readFileSync } from 'node:fs';
import { execa } from 'execa';

/**
 * A process's memory and CPU as the kernel accounts them, read from the host
 * (the pods share the host's PID namespace). /proc/<pid>/stat of a thread
 * group leader sums every thread's time, so node's worker and libuv threads count.
 */
export interface ProcSample {
  /** hrtime of the reading, ns. */
  readonly at: bigint;
  /** Resident set, bytes (VmRSS). */
  readonly rssBytes: number;
  /** Of which anonymous memory (heap, stacks), bytes (RssAnon). */
  readonly rssAnonBytes: number;
  /** Of which file-backed pages (RssFile: node's binary and libraries, as far as touched), bytes. */
  readonly rssFileBytes: number;
  /** Peak resident set since start, bytes (VmHWM). */
  readonly peakRssBytes: number;
  /** utime + stime, clock ticks. */
  readonly cpuTicks: number;
  readonly threads: number;
}

export function readProc(pid: number): ProcSample {
  const at = process.hrtime.bigint();
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // comm (field 2) may hold spaces and parentheses: count fields after the last ')'. utime and stime are fields 14 and 15.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const kib = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, 'm').exec(status);
    if (match === null) throw new Error(`/proc/${pid}/status has no ${name}`);
    return Number(match[1]) * 1024;
  };
  const threads = /^Threads:\s+(\d+)/m.exec(status);
  return {
    at,
    rssBytes: kib('VmRSS'),
    rssAnonBytes: kib('RssAnon'),
    rssFileBytes: kib('RssFile'),
    peakRssBytes: kib('VmHWM'),
    cpuTicks: Number(rest[11]) + Number(rest[12]),
    threads: Number(threads?.[1] ?? 0),
  };
}

let ticksPerSecond: number | undefined;

/** USER_HZ, the unit of /proc/<pid>/stat times (100 on every Linux build we know of, but asked). */
export async function clockTicksPerSecond(): Promise<number> {
  ticksPerSecond ??= Number((await execa('getconf', ['CLK_TCK'])).stdout.trim()) || 100;
  return ticksPerSecond;
}

/** CPU used between two readings, in seconds of one core. */
export function cpuSecondsBetween(before: ProcSample, after: ProcSample, hz: number): number {
  return (after.cpuTicks - before.cpuTicks) / hz;
}

export function secondsBetween(before: ProcSample, after: ProcSample): number {
  return Number(after.at - before.at) / 1e9;
}
