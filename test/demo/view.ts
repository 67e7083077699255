/**
 * What the demo shows, and how: pure functions from a snapshot of the set to
 * text, so the table and the plain lines are unit-tested without a cluster.
 */

/** Where a pod is in its life, as the kubelet would say it (plus the clone inside init). */
export type Phase = 'pending' | 'init' | 'cloning' | 'starting' | 'running' | 'restarting' | 'terminating' | 'failed';

/** A clone in flight: bytes in the recipient's staging dir against the donor's data size. */
export interface CloneProgress {
  donor: string | null;
  bytes: number;
  expectedBytes: number | null;
}

/** The clone a pod was made from, as its /status reports it. */
export interface ClonedFrom {
  donor: string;
  bytes: number;
  seconds: number;
}

export interface PodView {
  name: string;
  phase: Phase;
  role: 'primary' | 'replica';
  /** /readyz: true 200, false 503, null no answer. */
  ready: boolean | null;
  /** Heartbeat lag in seconds; null when unknown or not a replica. */
  lagSeconds: number | null;
  rows: number | null;
  gtid: string | null;
  clone: CloneProgress | null;
  cloned: ClonedFrom | null;
  restarts: number;
}

export interface Snapshot {
  elapsedSeconds: number;
  pods: readonly PodView[];
  /** Rows the writer had acknowledged; null before it starts. */
  acknowledged: number | null;
  /** Latest events, oldest first. */
  events: readonly string[];
}

const MB = 1_048_576;

export function formatMb(bytes: number): string {
  return `${(bytes / MB).toFixed(bytes < 10 * MB ? 1 : 0)} MB`;
}

/** `[######----]`: `width` cells, the fraction clamped to 0..1. */
export function renderBar(fraction: number, width: number): string {
  const clamped = Number.isFinite(fraction) ? Math.min(1, Math.max(0, fraction)) : 0;
  const filled = Math.round(clamped * width);
  return `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
}

/** Fraction done, or null when the donor's size is not known yet. */
export function cloneFraction(progress: CloneProgress): number | null {
  return progress.expectedBytes ? Math.min(1, progress.bytes / progress.expectedBytes) : null;
}

function percent(fraction: number): string {
  return `${Math.floor(fraction * 100)}%`;
}

export function formatLag(view: PodView): string {
  if (view.role === 'primary') return '-';
  return view.lagSeconds === null ? '?' : `${view.lagSeconds.toFixed(1)}s`;
}

function formatReady(ready: boolean | null): string {
  if (ready === null) return '?';
  return ready ? 'ready' : 'not-ready';
}

/** The clone column: a bar while cloning, where the data came from afterwards. */
export function formatClone(view: PodView, barWidth = 20): string {
  if (view.clone !== null) {
    const fraction = cloneFraction(view.clone);
    const from = view.clone.donor === null ? '' : ` from ${view.clone.donor}`;
    if (fraction === null) return `${formatMb(view.clone.bytes)}${from}`;
    const expected = view.clone.expectedBytes ?? 0;
    return `${renderBar(fraction, barWidth)} ${percent(fraction)} ${formatMb(view.clone.bytes)}/${formatMb(expected)}${from}`;
  }
  if (view.cloned !== null) return `${formatMb(view.cloned.bytes)} from ${view.cloned.donor} in ${view.cloned.seconds.toFixed(1)}s`;
  return view.role === 'primary' && view.phase === 'running' ? 'not cloned (first pod)' : '';
}

/** One pod in a plain status line: what it is doing, or, once running, role, readiness, lag and rows. */
export function formatPodPlain(view: PodView): string {
  if (view.phase === 'cloning' && view.clone !== null) {
    const fraction = cloneFraction(view.clone);
    return `${view.name} cloning ${fraction === null ? formatMb(view.clone.bytes) : percent(fraction)}`;
  }
  if (view.phase !== 'running') return `${view.name} ${view.phase}`;
  const rows = view.rows === null ? '?' : String(view.rows);
  return `${view.name} ${view.role} ${formatReady(view.ready)} lag=${formatLag(view)} rows=${rows}`;
}

/** The line printed every few seconds when the output is not a terminal. */
export function renderLine(snapshot: Snapshot): string {
  const pods = snapshot.pods.map(formatPodPlain);
  const writer = snapshot.acknowledged === null ? [] : [`writer acked=${snapshot.acknowledged}`];
  return `t=${Math.round(snapshot.elapsedSeconds)}s ${[...pods, ...writer].join(' | ')}`;
}

const COLUMNS = ['POD', 'ROLE', 'PHASE', 'READY', 'LAG', 'ROWS', 'GTID', 'CLONE'] as const;

function cells(view: PodView): string[] {
  const running = view.phase === 'running';
  const restarts = view.restarts > 0 ? ` (${view.restarts} restarts)` : '';
  return [
    view.name,
    view.role,
    `${view.phase}${restarts}`,
    running ? formatReady(view.ready) : '',
    running ? formatLag(view) : '',
    view.rows === null ? '' : String(view.rows),
    view.gtid ?? '',
    formatClone(view),
  ];
}

/** Rows of cells as left-aligned columns, two spaces apart, without trailing blanks. */
export function alignColumns(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, i) => (widths[i] = Math.max(widths[i] ?? 0, cell.length)));
  return rows.map((row) => row.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join('  ').trimEnd());
}

/** The table redrawn in place on a terminal: one row a pod, the writer, the latest events. */
export function renderTable(snapshot: Snapshot): string[] {
  const lines = alignColumns([[...COLUMNS], ...snapshot.pods.map(cells)]);
  const writer = snapshot.acknowledged === null ? 'not started (it starts once mysql-0 is Ready)' : `${snapshot.acknowledged} rows acknowledged by mysql-0`;
  lines.push('', `elapsed ${Math.round(snapshot.elapsedSeconds)}s   writer: ${writer}`);
  if (snapshot.events.length > 0) lines.push('', 'events:', ...snapshot.events.map((event) => `  ${event}`));
  return lines;
}
