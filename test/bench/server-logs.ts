/**
 * What mysqld's error log and the harness's kubelet.log say about the restart
 * that finishes a CLONE-plugin clone: when the server took the data (3707),
 * when it had shut down, when the harness started it again and when that
 * start answered SQL. Pure parsers; the caller reads the files.
 */

export interface LogLine {
  readonly timeMs: number;
  readonly text: string;
}

/** mysqld 8+/9 error log: `2026-11-28T18:55:37.823574Z 12 [ERROR] [MY-013462] [Server] Clone shutting down…`. */
export interface ErrorLogLine extends LogLine {
  readonly code: string;
}

const ERROR_LOG_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) \S+ \[\w+\] \[(MY-\d+)\] \[\w+\] (.*)$/;
const TIMED_LINE = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z) (.*)$/;

export function parseErrorLog(text: string): ErrorLogLine[] {
  return text.split('\n').flatMap((line) => {
    const match = ERROR_LOG_LINE.exec(line);
    return match === null ? [] : [{ timeMs: Date.parse(match[1] as string), code: match[2] as string, text: match[3] as string }];
  });
}

/** test/cluster/server.ts's kubelet.log: `<ISO time> <what happened>`. */
export function parseKubeletLog(text: string): LogLine[] {
  return text.split('\n').flatMap((line) => {
    const match = TIMED_LINE.exec(line);
    return match === null ? [] : [{ timeMs: Date.parse(match[1] as string), text: match[2] as string }];
  });
}

/** MySQL's error codes for the moments that matter here. */
export const MYSQLD = {
  cloneShuttingDown: 'MY-013462',
  shutdownComplete: 'MY-010910',
  serverStart: 'MY-015015',
  innodbInitStarted: 'MY-013576',
  innodbInitEnded: 'MY-013577',
  readyForConnections: 'MY-010931',
} as const;

/** Epoch ms of the restart's moments, and how the restart's own start splits. */
export interface RestartMoments {
  /** mysqld took the clone and answered 3707 ("Clone shutting down server as RESTART failed"). */
  readonly cloneTaken: number;
  /** "Shutdown complete" after it (the process exits right after). */
  readonly serverExited: number;
  /** The harness starts mysqld again (after its back-off). */
  readonly restartBegan: number;
  /** The restarted mysqld answers SQL (the harness's own poll). */
  readonly restartAnswers: number;
  /** Of the restart: mysqld's "start" to "ready for connections", and its InnoDB initialisation (the clone's recovery) within it. */
  readonly mysqldStartSeconds: number;
  readonly innodbInitSeconds: number;
}

/** Reads the first clone restart at or after `sinceMs`; throws naming the line that is missing. */
export function restartMoments(errorLog: readonly ErrorLogLine[], kubeletLog: readonly LogLine[], sinceMs: number): RestartMoments {
  const after = <T extends LogLine>(lines: readonly T[], atMs: number, matches: (line: T) => boolean, what: string): T => {
    const found = lines.find((line) => line.timeMs >= atMs && matches(line));
    if (found === undefined) throw new Error(`the pod's logs have no ${what} after ${new Date(atMs).toISOString()}`);
    return found;
  };
  const code = (wanted: string) => (line: ErrorLogLine) => line.code === wanted;
  const taken = after(errorLog, sinceMs, code(MYSQLD.cloneShuttingDown), `mysqld "${MYSQLD.cloneShuttingDown}" (clone shutting down the server) line`);
  const exited = after(errorLog, taken.timeMs, code(MYSQLD.shutdownComplete), `mysqld "Shutdown complete" line`);
  const began = after(kubeletLog, exited.timeMs, (line) => /starting it again \(restart \d+\)/.test(line.text), 'kubelet.log "starting it again" line');
  const answers = after(kubeletLog, began.timeMs, (line) => /^restart \d+: answers SQL/.test(line.text), 'kubelet.log "answers SQL" line');
  // mysqld's first lines may carry a time a little before the harness's log line: look from the exit on.
  const start = after(errorLog, exited.timeMs, code(MYSQLD.serverStart), 'mysqld "MySQL Server - start" line after the clone');
  const innodbStarted = after(errorLog, start.timeMs, code(MYSQLD.innodbInitStarted), 'InnoDB "initialization has started" line');
  const innodbEnded = after(errorLog, innodbStarted.timeMs, code(MYSQLD.innodbInitEnded), 'InnoDB "initialization has ended" line');
  const ready = after(errorLog, innodbEnded.timeMs, code(MYSQLD.readyForConnections), 'mysqld "ready for connections" line');
  return {
    cloneTaken: taken.timeMs,
    serverExited: exited.timeMs,
    restartBegan: began.timeMs,
    restartAnswers: answers.timeMs,
    mysqldStartSeconds: (ready.timeMs - start.timeMs) / 1000,
    innodbInitSeconds: (innodbEnded.timeMs - innodbStarted.timeMs) / 1000,
  };
}
