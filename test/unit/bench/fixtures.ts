import { summarizeReady, type ReadyRun } from '../../bench/ready-report.js';
import type { ReadyResults } from '../../bench/ready-section.js';

/** Made-up section results the bench's unit tests build their tables from. */

const MIB = 1024 * 1024;

/** MariaDB's empty pod → Ready: agent 8.5 s, by hand 4.5 s (a 4 s gap), medians of two rounds. */
export function fakeReady(): ReadyResults {
  const run = (path: ReadyRun['path'], round: number, phases: [number, number, number]): ReadyRun => ({
    path,
    round,
    cloneSeconds: phases[0],
    serverSeconds: phases[1],
    replicationSeconds: phases[2],
    seconds: phases[0] + phases[1] + phases[2],
    loadAvg1: 1,
    ...(path === 'agent' ? { healthzSeconds: 0.4, pointedSeconds: 0.5 } : {}),
  });
  const runs = [run('agent', 1, [4, 1, 3]), run('by hand', 1, [3, 1, 0.5]), run('agent', 2, [5, 1, 3]), run('by hand', 2, [3, 1, 0.5])];
  const summary = summarizeReady({ agent: { key: 'agent', label: 'agent' }, byHand: { key: 'by hand', label: 'by hand' } }, runs);
  return { runsPerPath: 2, dataMb: 512, dataDirBytes: 600 * MIB, runs, summary };
}
