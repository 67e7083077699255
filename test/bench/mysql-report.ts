import { formatTable } from '../../src/cli/table.js';
import type { MysqlPathKey, MysqlTrial } from './mysql-trial.js';
import { CLONE_PHASES, MYSQL_PHASES, OWN_PHASES, type MysqlPhase } from './mysql-timeline.js';
import { median } from './stats.js';

/** The two MySQL sections: the clone alone, and the whole way from an empty pod to Ready. */
export type MysqlSectionKey = 'mysql-clone' | 'mysql-ready';

/** The ratios the project targets for MySQL. */
export const MYSQL_TARGETS = {
  /** The agent's clone against CLONE INSTANCE typed by hand. */
  cloneVsByHand: 1.15,
  /** MySQL's empty pod → Ready gap (agent − by hand) against MariaDB's, both from the same run: "the same gap". */
  readyGapVsMariadb: 1.15,
} as const;

/** Medians of one path's trials: of the compared value, of every phase, and of what the server reported. */
export interface MysqlPathSummary {
  readonly path: MysqlPathKey;
  /** Per trial, in order: the clone's seconds (mysql-clone) or start to Ready (mysql-ready). */
  readonly values: readonly number[];
  readonly median: number;
  /** Each phase's own median (so the phases need not add up to the median of the totals). */
  readonly phases: Readonly<Record<MysqlPhase, number>>;
  readonly cloneStatusSeconds: number;
  readonly cloneBytes: number;
  readonly stages: Readonly<Record<string, number>>;
  readonly mysqldStartSeconds: number;
  readonly innodbInitSeconds: number;
}

export interface MysqlSummary {
  readonly section: MysqlSectionKey;
  readonly agent: MysqlPathSummary;
  readonly byHand: MysqlPathSummary;
  /** agent / by hand, of the medians. */
  readonly ratio: number;
  /** agent − by hand, of the medians: what the agent adds. */
  readonly gap: number;
}

/** The value a section compares for one trial. */
export function trialValue(section: MysqlSectionKey, trial: Pick<MysqlTrial, 'cloneSeconds' | 'seconds'>): number {
  return section === 'mysql-clone' ? trial.cloneSeconds : trial.seconds;
}

function medianOf<K extends string>(keys: readonly K[], get: (key: K) => number[]): Record<K, number> {
  return Object.fromEntries(keys.map((key) => [key, median(get(key))])) as Record<K, number>;
}

function summarizePath(section: MysqlSectionKey, path: MysqlPathKey, trials: readonly MysqlTrial[]): MysqlPathSummary {
  const mine = trials.filter((trial) => trial.path === path);
  if (mine.length === 0) throw new Error(`no ${section} trials for ${path}`);
  const values = mine.map((trial) => trialValue(section, trial));
  const stageNames = [...new Set(mine.flatMap((trial) => Object.keys(trial.server.stages)))];
  return {
    path,
    values,
    median: median(values),
    phases: medianOf(
      MYSQL_PHASES.map((phase) => phase.key),
      (phase) => mine.map((trial) => trial.phases[phase]),
    ),
    cloneStatusSeconds: median(mine.map((trial) => trial.server.cloneStatusSeconds)),
    cloneBytes: median(mine.map((trial) => trial.server.cloneBytes)),
    stages: medianOf(stageNames, (stage) => mine.map((trial) => trial.server.stages[stage] ?? 0)),
    mysqldStartSeconds: median(mine.map((trial) => trial.server.mysqldStartSeconds)),
    innodbInitSeconds: median(mine.map((trial) => trial.server.innodbInitSeconds)),
  };
}

export function summarizeMysql(section: MysqlSectionKey, trials: readonly MysqlTrial[]): MysqlSummary {
  const agent = summarizePath(section, 'agent', trials);
  const byHand = summarizePath(section, 'by hand', trials);
  return { section, agent, byHand, ratio: agent.median / byHand.median, gap: agent.median - byHand.median };
}

/** The phases a section's table shows: the clone's, or all of them. */
export function shownPhases(section: MysqlSectionKey): readonly (typeof MYSQL_PHASES)[number][] {
  return section === 'mysql-clone' ? MYSQL_PHASES.filter((phase) => CLONE_PHASES.includes(phase.key)) : MYSQL_PHASES;
}

/** A section's shown phases split into the agent's own steps and the servers' shared work, each summed over the phase medians, per path. */
export function workSplit(summary: MysqlSummary): { own: { agent: number; byHand: number }; shared: { agent: number; byHand: number } } {
  const sum = (s: MysqlPathSummary, own: boolean) =>
    shownPhases(summary.section)
      .filter((phase) => OWN_PHASES.includes(phase.key) === own)
      .reduce((total, phase) => total + s.phases[phase.key], 0);
  return { own: { agent: sum(summary.agent, true), byHand: sum(summary.byHand, true) }, shared: { agent: sum(summary.agent, false), byHand: sum(summary.byHand, false) } };
}

/** Where the difference comes from, by the split above. */
function splitNote(summary: MysqlSummary): string {
  const { own, shared } = workSplit(summary);
  const ownNames = OWN_PHASES.filter((key) => shownPhases(summary.section).some((phase) => phase.key === key)).join(', ');
  const diff = (x: { agent: number; byHand: number }) => `agent ${x.agent.toFixed(2)} vs by hand ${x.byHand.toFixed(2)} (${(x.agent - x.byHand >= 0 ? '+' : '') + (x.agent - x.byHand).toFixed(2)})`;
  return `where the difference is: the steps the agent takes itself (${ownNames}) ${diff(own)} s; the servers' and the harness's work, the same on both paths, ${diff(shared)} s`;
}

/** One row per phase and one for the total: agent, by hand, and what the agent adds. */
export function renderMysql(summary: MysqlSummary): string {
  const { agent, byHand, section } = summary;
  const row = (name: string, a: number, b: number) => [name, a.toFixed(2), b.toFixed(2), (a - b).toFixed(2)];
  const rows = shownPhases(section).map((phase) => row(phase.name, agent.phases[phase.key], byHand.phases[phase.key]));
  const total = section === 'mysql-clone' ? 'clone (median of the sums of these phases)' : 'empty pod → Ready (median of totals)';
  rows.push(row(total, agent.median, byHand.median));
  const table = formatTable(['median s', 'agent', 'by hand', 'agent − by hand'], rows);
  const runs = (s: MysqlPathSummary) => `${s.path} runs: ${s.values.map((x) => x.toFixed(2)).join(', ')} s`;
  const notes = [`agent / by hand: ${summary.ratio.toFixed(2)}`, splitNote(summary), runs(agent), runs(byHand), ...[agent, byHand].map(serverNote)];
  if (section === 'mysql-clone') notes.push(`not counted: the empty server's first start (agent ${agent.phases.server.toFixed(2)} s, by hand ${byHand.phases.server.toFixed(2)} s): the floor starts on a running one`);
  return [table, ...notes].join('\n');
}

/** What the recipient's server says about the same clones, medians: the evidence behind the copy and restart phases. */
function serverNote(s: MysqlPathSummary): string {
  const stages = Object.entries(s.stages)
    .map(([stage, seconds]) => `${stage} ${seconds.toFixed(2)}`)
    .join(', ');
  return (
    `${s.path}, the server's own account: clone_status END − BEGIN ${s.cloneStatusSeconds.toFixed(2)} s, ${(s.cloneBytes / 2 ** 20).toFixed(0)} MiB copied; ` +
    `stages ${stages}; restarted mysqld start to "ready for connections" ${s.mysqldStartSeconds.toFixed(2)} s, of which InnoDB initialisation ${s.innodbInitSeconds.toFixed(2)} s`
  );
}
