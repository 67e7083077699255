import { execa } from 'execa';
import { loadAverages } from './machine.js';
import type { Method } from './method.js';
import type { MethodResult, RunRecord } from './report.js';

/**
 * Runs every method `rounds` times, interleaved and with the order rotated
 * each round, so a drift in machine load or page cache hits all methods alike
 * instead of whichever ran last.
 */
export async function runRounds(input: {
  methods: readonly Method[];
  rounds: number;
  check: (method: Method) => Promise<void>;
  say: (line: string) => void;
}): Promise<MethodResult[]> {
  const records = new Map<Method, RunRecord[]>(input.methods.map((method) => [method, []]));
  for (let round = 1; round <= input.rounds; round++) {
    const shift = (round - 1) % input.methods.length;
    const order = [...input.methods.slice(shift), ...input.methods.slice(0, shift)];
    for (const method of order) {
      await method.reset();
      // The previous run's files are still being written back: flush them now, untimed, so they don't land in this run.
      await execa('sync');
      const loadAvg1 = loadAverages()[0];
      const timing = await method.run();
      await input.check(method);
      records.get(method)?.push({ ...timing, loadAvg1, round });
      input.say(`  round ${round} ${method.label}: ${describe(timing.seconds, timing.streamSeconds, timing.prepareSeconds, timing.otherSeconds)}, load ${loadAvg1}${describeExtra(timing.extra)}`);
    }
  }
  return input.methods.map((method) => ({ key: method.key, label: method.label, runs: records.get(method) ?? [] }));
}

function describe(total: number, stream: number, prepare: number, other: number): string {
  return `${total.toFixed(2)} s (stream ${stream.toFixed(2)}, prepare ${prepare.toFixed(2)}, other ${other.toFixed(2)})`;
}

function describeExtra(extra: Readonly<Record<string, number | string>> | undefined): string {
  if (extra === undefined || Object.keys(extra).length === 0) return '';
  return `; ${Object.entries(extra).map(([key, value]) => `${key} ${value}`).join(', ')}`;
}

/**
 * Two paths timed `rounds` times each, the first one first in odd rounds and
 * second in even ones, so a drift in load or page cache hits both alike.
 */
export function alternating<P>(rounds: number, paths: readonly [P, P]): { round: number; path: P }[] {
  const [first, second] = paths;
  return Array.from({ length: rounds }, (_, i) => i + 1).flatMap((round) => {
    const order = round % 2 === 1 ? [first, second] : [second, first];
    return order.map((path) => ({ round, path }));
  });
}
