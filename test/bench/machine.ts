import { readFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly kernel: string;
  readonly node: string;
}

export function machineInfo(): MachineInfo {
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
  };
}

/** 1, 5 and 15-minute load averages, rounded: tests running next to the benchmark show up here. */
export function loadAverages(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = loadavg().map((x) => Math.round(x * 100) / 100);
  return [one, five, fifteen];
}

/**
 * Share of all CPUs busy over `ms`, from /proc/stat. Taken before the cluster
 * exists, it is the other work on the machine alone; the load averages printed
 * per run also count the benchmark's own processes.
 */
export async function cpuBusyShare(ms = 1000): Promise<number> {
  const before = cpuTicks();
  await sleep(ms);
  const after = cpuTicks();
  const total = after.total - before.total;
  return total > 0 ? Math.round(((total - (after.idle - before.idle)) / total) * 100) / 100 : 0;
}

function cpuTicks(): { total: number; idle: number } {
  // First line: "cpu  user nice system idle iowait irq softirq steal ..."
  const fields = (readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { total: fields.reduce((sum, x) => sum + x, 0), idle };
}
