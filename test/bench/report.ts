import { formatTable } from '../../src/cli/table.js';
import type { MethodKey, RunTiming } from './method.js';
import { median, round } from './stats.js';

/** The ratios the project targets (cloning must not cost more than the plumbing it replaces). */
export const TARGETS = { agentVsRaw: 1.15, agentVsRelay: 1.0 } as const;

const MIB = 1024 * 1024;

export interface RunRecord extends RunTiming {
  /** 1-minute load average when the run started: other work on the machine shows up here. */
  readonly loadAvg1: number;
  /** 1-based, in the order the runs happened. */
  readonly round: number;
}

export interface MethodResult {
  readonly key: MethodKey;
  readonly label: string;
  readonly runs: readonly RunRecord[];
}

export interface MethodSummary {
  readonly key: MethodKey;
  readonly label: string;
  readonly seconds: readonly number[];
  readonly medianSeconds: number;
  readonly mibPerSecond: number;
  readonly vsRaw: number;
  /** null at a size where the relay did not run (the small one). */
  readonly vsRelay: number | null;
  readonly medianStreamSeconds: number;
  readonly medianPrepareSeconds: number;
  readonly medianOtherSeconds: number;
}

export interface TargetCheck {
  readonly name: string;
  readonly ratio: number;
  readonly target: number;
  readonly met: boolean;
}

export function summarize(results: readonly MethodResult[], dataBytes: number): MethodSummary[] {
  const medianOf = (key: MethodKey) => {
    const result = results.find((candidate) => candidate.key === key);
    return result === undefined ? undefined : median(result.runs.map((run) => run.seconds));
  };
  const raw = medianOf('raw');
  if (raw === undefined) throw new Error('no results for raw: every ratio is against it');
  const relay = medianOf('relay');
  return results.map((result) => {
    const seconds = result.runs.map((run) => run.seconds);
    const medianSeconds = median(seconds);
    return {
      key: result.key,
      label: result.label,
      seconds,
      medianSeconds,
      mibPerSecond: dataBytes / MIB / medianSeconds,
      vsRaw: medianSeconds / raw,
      vsRelay: relay === undefined ? null : medianSeconds / relay,
      medianStreamSeconds: median(result.runs.map((run) => run.streamSeconds)),
      medianPrepareSeconds: median(result.runs.map((run) => run.prepareSeconds)),
      medianOtherSeconds: median(result.runs.map((run) => run.otherSeconds)),
    };
  });
}

export function checkTargets(summaries: readonly MethodSummary[]): TargetCheck[] {
  const agent = summaries.find((summary) => summary.key === 'agent');
  if (agent === undefined) throw new Error('no agent results');
  const checks: TargetCheck[] = [{ name: 'agent / raw local pipeline', ratio: agent.vsRaw, target: TARGETS.agentVsRaw, met: agent.vsRaw <= TARGETS.agentVsRaw }];
  if (agent.vsRelay !== null) {
    checks.push({ name: 'agent / plain TCP relay', ratio: agent.vsRelay, target: TARGETS.agentVsRelay, met: agent.vsRelay <= TARGETS.agentVsRelay });
  }
  return checks;
}

export function renderTable(summaries: readonly MethodSummary[]): string {
  return formatTable(
    ['method', 'runs (s)', 'median s', 'MiB/s', 'vs raw', 'vs relay'],
    summaries.map((s) => [
      s.label,
      s.seconds.map((x) => x.toFixed(2)).join(', '),
      s.medianSeconds.toFixed(2),
      s.mibPerSecond.toFixed(1),
      s.vsRaw.toFixed(2),
      s.vsRelay === null ? '-' : s.vsRelay.toFixed(2),
    ]),
  );
}

/** Where the time goes: streaming vs preparing, medians per phase. */
export function renderPhases(summaries: readonly MethodSummary[]): string {
  return formatTable(
    ['method', 'stream+extract s', 'prepare s', 'other s'],
    summaries.map((s) => [s.label, s.medianStreamSeconds.toFixed(2), s.medianPrepareSeconds.toFixed(2), s.medianOtherSeconds.toFixed(2)]),
  );
}

/** For the JSON: one run's seconds rounded to the millisecond (the logs the agent's phases come from have no finer grain). */
export function roundRun(run: RunRecord): RunRecord {
  return {
    ...run,
    seconds: round(run.seconds),
    streamSeconds: round(run.streamSeconds),
    prepareSeconds: round(run.prepareSeconds),
    otherSeconds: round(run.otherSeconds),
  };
}

/** For the JSON: seconds and ratios rounded, so the file diffs readably between runs. */
export function roundSummary(summary: MethodSummary): MethodSummary {
  return {
    ...summary,
    seconds: summary.seconds.map((x) => round(x)),
    medianSeconds: round(summary.medianSeconds),
    mibPerSecond: round(summary.mibPerSecond, 1),
    vsRaw: round(summary.vsRaw),
    vsRelay: summary.vsRelay === null ? null : round(summary.vsRelay),
    medianStreamSeconds: round(summary.medianStreamSeconds),
    medianPrepareSeconds: round(summary.medianPrepareSeconds),
    medianOtherSeconds: round(summary.medianOtherSeconds),
  };
}
