import { formatTable } from '../../src/cli/table.js';
import type { ReadyPath, ReadyTiming } from './ready-paths.js';
import { median } from './stats.js';

/** One timed trial: an empty mysql-1 to a Ready replica, one path. */
export interface ReadyRun extends ReadyTiming {
  readonly path: ReadyPath['key'];
  /** 1-based, in the order the rounds happened. */
  readonly round: number;
  readonly seconds: number;
  /** 1-minute load average when the trial started. */
  readonly loadAvg1: number;
}

/** What the summary needs of a path. */
type PathName = Pick<ReadyPath, 'key' | 'label'>;

export const READY_PHASES = ['cloneSeconds', 'serverSeconds', 'replicationSeconds'] as const;
export type ReadyPhase = (typeof READY_PHASES)[number];

/** What each phase is called in the tables. */
export const PHASE_NAMES: Readonly<Record<ReadyPhase, string>> = {
  cloneSeconds: 'init / clone',
  serverSeconds: 'server start',
  replicationSeconds: 'sidecar / replication to Ready',
};

/** Medians per path: of the totals, and of every phase (so the phases need not add up to the total). */
export interface ReadyPathSummary {
  readonly path: ReadyPath['key'];
  readonly label: string;
  readonly seconds: readonly number[];
  readonly medianSeconds: number;
  readonly phases: Readonly<Record<ReadyPhase, number>>;
  /** Agent only: sidecar spawn to first /healthz 200, and to its "pointing replication" log line. */
  readonly medianHealthzSeconds: number | null;
  readonly medianPointedSeconds: number | null;
}

export interface ReadySummary {
  readonly agent: ReadyPathSummary;
  readonly byHand: ReadyPathSummary;
  /** agent / by hand, of the total and of every phase. */
  readonly ratio: number;
  readonly phaseRatios: Readonly<Record<ReadyPhase, number>>;
}

function summarizePath(path: PathName, runs: readonly ReadyRun[]): ReadyPathSummary {
  const mine = runs.filter((run) => run.path === path.key);
  if (mine.length === 0) throw new Error(`no ready runs for ${path.key}`);
  const phases = Object.fromEntries(READY_PHASES.map((phase) => [phase, median(mine.map((run) => run[phase]))])) as Record<ReadyPhase, number>;
  const medianOrNull = (values: readonly (number | undefined)[]) => {
    const known = values.flatMap((value) => (value === undefined ? [] : [value]));
    return known.length === 0 ? null : median(known);
  };
  return {
    path: path.key,
    label: path.label,
    seconds: mine.map((run) => run.seconds),
    medianSeconds: median(mine.map((run) => run.seconds)),
    phases,
    medianHealthzSeconds: medianOrNull(mine.map((run) => run.healthzSeconds)),
    medianPointedSeconds: medianOrNull(mine.map((run) => run.pointedSeconds)),
  };
}

export function summarizeReady(paths: { agent: PathName; byHand: PathName }, runs: readonly ReadyRun[]): ReadySummary {
  const agent = summarizePath(paths.agent, runs);
  const byHand = summarizePath(paths.byHand, runs);
  const phaseRatios = Object.fromEntries(READY_PHASES.map((phase) => [phase, agent.phases[phase] / byHand.phases[phase]])) as Record<ReadyPhase, number>;
  return { agent, byHand, ratio: agent.medianSeconds / byHand.medianSeconds, phaseRatios };
}

/** One row per phase and one for the total: agent, by hand, and their ratio. */
export function renderReady(summary: ReadySummary): string {
  const rows = READY_PHASES.map((phase) => [
    PHASE_NAMES[phase],
    summary.agent.phases[phase].toFixed(2),
    summary.byHand.phases[phase].toFixed(2),
    summary.phaseRatios[phase].toFixed(2),
  ]);
  rows.push(['total (median of totals)', summary.agent.medianSeconds.toFixed(2), summary.byHand.medianSeconds.toFixed(2), summary.ratio.toFixed(2)]);
  const table = formatTable(['empty pod → Ready, median s', 'agent', 'by hand', 'agent / by hand'], rows);
  const runs = (s: ReadyPathSummary) => `${s.path} runs: ${s.seconds.map((x) => x.toFixed(2)).join(', ')} s`;
  return [table, runs(summary.agent), runs(summary.byHand), sidecarNote(summary.agent)].join('\n');
}

/** Where the sidecar's part goes: HTTP up, replication configured, then catching up and the check that proves it. */
function sidecarNote(agent: ReadyPathSummary): string {
  const at = (value: number | null) => (value === null ? 'unknown' : `${value.toFixed(2)} s`);
  return (
    `agent's sidecar, medians after spawn: /healthz 200 at ${at(agent.medianHealthzSeconds)}, replication pointed at the primary at ${at(agent.medianPointedSeconds)}, ` +
    `/readyz 200 at ${at(agent.phases.replicationSeconds)} (Ready on the first check that shows it caught up)`
  );
}
