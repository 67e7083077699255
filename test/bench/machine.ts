import { cpus, loadavg, release, totalmem } from 'node:os';
import type { Pod } from '../cluster/index.js';

export interface MachineInfo {
  readonly cpus: number;
  readonly cpuModel: string;
  readonly memoryBytes: number;
  readonly kernel: string;
  readonly node: string;
  readonly mariadb: string;
}

export async function machineInfo(pod: Pod): Promise<MachineInfo> {
  const [row] = await pod.query<{ version: string }>('SELECT VERSION() AS version');
  return {
    cpus: cpus().length,
    cpuModel: cpus()[0]?.model ?? 'unknown',
    memoryBytes: totalmem(),
    kernel: release(),
    node: process.version,
    mariadb: row?.version ?? 'unknown',
  };
}

/** 1, 5 and 15-minute load averages, rounded: tests running next to the benchmark show up here. */
export function loadAverages(): [number, number, number] {
  const [one = 0, five = 0, fifteen = 0] = loadavg().map((x) => Math.round(x * 100) / 100);
  return [one, five, fifteen];
}
