/**
 * The moments of one MySQL trial (an empty mysql-1 cloned with the CLONE
 * plugin, by the agent or by hand) and the phases between them. Moments come
 * from the bench's own clock (spawns, exits, answers it waits for) and from
 * the pod's logs: the sidecar's pino log, mysqld's error log and the harness's
 * kubelet.log, all on the machine's one wall clock. Pure, so the arithmetic
 * is unit-tested.
 */

/** In the order they happen; a path that has no such moment leaves it out (by hand: no init). */
export const MYSQL_MOMENTS = [
  'start',
  'initDone',
  'serverUp',
  'cloneIssued',
  'cloneTaken',
  'serverExited',
  'restartBegan',
  'restartAnswers',
  'recorded',
  'pointed',
  'ready',
] as const;
export type MysqlMoment = (typeof MYSQL_MOMENTS)[number];

/** Seconds since the trial's start (`start` is 0). */
export type Timeline = Readonly<Partial<Record<MysqlMoment, number>>>;

/** The phase that ends at each moment after `start`, named for the tables. */
export const MYSQL_PHASES = [
  { key: 'init', end: 'initDone', name: 'init: spawn to exit 0 (clone-pending)' },
  { key: 'server', end: 'serverUp', name: 'first server start: template copy, init file, mysqld' },
  { key: 'toClone', end: 'cloneIssued', name: 'to CLONE INSTANCE (agent: the sidecar, started with the server, finds it and chooses the donor)' },
  { key: 'copy', end: 'cloneTaken', name: 'CLONE INSTANCE until 3707 (drop, copy, sync)' },
  // mysqld sleeps a flat 2 s in it when any client connection is still open (the agent's loop keeps one).
  { key: 'shutdown', end: 'serverExited', name: 'mysqld shuts down after 3707 (+2 s if a client is connected)' },
  { key: 'backoff', end: 'restartBegan', name: "harness's restart back-off" },
  { key: 'restart', end: 'restartAnswers', name: 'restart until it answers SQL (clone recovery)' },
  { key: 'record', end: 'recorded', name: 'to clone recorded (agent: clone.json + marker; by hand: clone_status Completed)' },
  { key: 'point', end: 'pointed', name: 'to pointing replication at mysql-0 (agent: its next check; by hand: at once)' },
  { key: 'ready', end: 'ready', name: 'CHANGE REPLICATION SOURCE, START REPLICA, to Ready (agent: /readyz 200; by hand: caught up)' },
] as const satisfies readonly { key: string; end: MysqlMoment; name: string }[];
export type MysqlPhase = (typeof MYSQL_PHASES)[number]['key'];

/** The phases a clone is made of: all but the empty server's first start (the floor starts on a running one) and replication. */
export const CLONE_PHASES: readonly MysqlPhase[] = ['init', 'toClone', 'copy', 'shutdown', 'backoff', 'restart', 'record'];

/**
 * Phases in which the agent (or whoever types by hand) acts; the others are
 * the servers' and the harness's work, the same statements on both paths, so
 * a difference there is the machine's noise, not the agent.
 */
export const OWN_PHASES: readonly MysqlPhase[] = ['init', 'toClone', 'record', 'point', 'ready'];

/**
 * Each phase's seconds: from the latest earlier moment the timeline has to the
 * phase's own end; 0 for a phase whose end the path does not have. The phases
 * add up to the last moment.
 */
export function phasesOf(timeline: Timeline): Record<MysqlPhase, number> {
  const phases = {} as Record<MysqlPhase, number>;
  let previous = timeline.start ?? 0;
  for (const phase of MYSQL_PHASES) {
    const end = timeline[phase.end];
    phases[phase.key] = end === undefined ? 0 : end - previous;
    if (end !== undefined) previous = end;
  }
  return phases;
}

/** The clone's seconds: the sum of CLONE_PHASES. */
export function cloneSecondsOf(phases: Readonly<Record<MysqlPhase, number>>): number {
  return CLONE_PHASES.reduce((sum, phase) => sum + phases[phase], 0);
}

/** Epoch ms moments → seconds since `startMs`; undefined ones left out. */
export function timelineFrom(startMs: number, moments: Partial<Record<MysqlMoment, number | undefined>>): Timeline {
  const timeline: Partial<Record<MysqlMoment, number>> = { start: 0 };
  for (const moment of MYSQL_MOMENTS) {
    const at = moments[moment];
    if (at !== undefined && moment !== 'start') timeline[moment] = (at - startMs) / 1000;
  }
  return timeline;
}
