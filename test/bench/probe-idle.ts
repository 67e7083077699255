import { readlinkSync } from 'node:fs';
import { basename } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Pod } from '../cluster/index.js';
import { clockTicksPerSecond, cpuSecondsBetween, readProc, secondsBetween, type ProcSample } from './proc.js';

/** A process's footprint over a window without requests: for a sidecar, what it costs to keep one running per pod. */
export interface IdleFootprint {
  /** `mysql-1 sidecar`, `bare node http server`. */
  readonly name: string;
  readonly pid: number;
  readonly windowSeconds: number;
  readonly rssStartBytes: number;
  readonly rssEndBytes: number;
  /** Largest of the once-a-second readings. */
  readonly rssMaxBytes: number;
  readonly rssAnonEndBytes: number;
  /** VmHWM: the peak since the process started (a clone it served shows up here). */
  readonly peakRssBytes: number;
  readonly cpuSeconds: number;
  /** CPU seconds per second: 0.01 is 1 % of one core. */
  readonly cpuShare: number;
  readonly threads: number;
}

export function sidecarPid(pod: Pod): number {
  const record = pod.processes().find((candidate) => candidate.label === 'sidecar');
  if (record === undefined) throw new Error(`${pod.name} has no sidecar process`);
  // The harness starts containers through nsenter, which execs the command: the PID is node's own. Its
  // executable says so (Node 24 names its main thread "MainThread", so /proc/<pid>/comm no longer does).
  const exe = readlinkSync(`/proc/${record.pid}/exe`);
  if (basename(exe) !== 'node') throw new Error(`${pod.name}'s sidecar PID ${record.pid} runs ${exe}, not node`);
  return record.pid;
}

/** Reads /proc of every subject once a second for `seconds`, all in the same window. */
export async function measureIdle(subjects: readonly { name: string; pid: number }[], seconds: number): Promise<IdleFootprint[]> {
  const hz = await clockTicksPerSecond();
  const pids = subjects.map((subject) => subject.pid);
  const samples: ProcSample[][] = pids.map((pid) => [readProc(pid)]);
  for (let second = 1; second <= seconds; second++) {
    await sleep(1000);
    pids.forEach((pid, i) => samples[i]?.push(readProc(pid)));
  }
  return subjects.map((subject, i) => {
    const series = samples[i] ?? [];
    const first = series[0] as ProcSample;
    const last = series.at(-1) as ProcSample;
    const cpuSeconds = cpuSecondsBetween(first, last, hz);
    return {
      name: subject.name,
      pid: pids[i] as number,
      windowSeconds: secondsBetween(first, last),
      rssStartBytes: first.rssBytes,
      rssEndBytes: last.rssBytes,
      rssMaxBytes: Math.max(...series.map((s) => s.rssBytes)),
      rssAnonEndBytes: last.rssAnonBytes,
      peakRssBytes: last.peakRssBytes,
      cpuSeconds,
      cpuShare: cpuSeconds / secondsBetween(first, last),
      threads: last.threads,
    };
  });
}
