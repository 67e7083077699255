/**
 * Reads the agent's pino JSON lines (one event per line, ISO `time`) to split
 * an init run into phases: the log is the only view into where the agent's
 * time goes without instrumenting src/.
 */
export interface LogEvent {
  readonly timeMs: number;
  readonly msg: string;
  readonly fields: Readonly<Record<string, unknown>>;
}

export function parseLog(text: string): LogEvent[] {
  const events: LogEvent[] = [];
  for (const line of text.split('\n')) {
    if (!line.startsWith('{')) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      continue; // a line cut by a crash is not an event
    }
    if (typeof value !== 'object' || value === null) continue;
    const fields = value as Record<string, unknown>;
    const timeMs = typeof fields.time === 'string' ? Date.parse(fields.time) : Number.NaN;
    if (Number.isNaN(timeMs) || typeof fields.msg !== 'string') continue;
    events.push({ timeMs, msg: fields.msg, fields });
  }
  return events;
}

/** Messages of src/clone/clone-once.ts and src/lifecycle/init.ts; a rename there shows up here as a clear error. */
const CLONING = 'cloning';
const RECEIVED = 'received the backup; preparing';
const COMPLETE = 'clone complete: data dir ready';
const INIT_DONE = 'init done';

export interface InitPhases {
  /** How init ended: must be `cloned` for the run to count. */
  readonly outcome: string;
  readonly streamSeconds: number;
  readonly prepareAndCommitSeconds: number;
  /** From the first clone log line to the last: the part the log can account for. */
  readonly cloneSeconds: number;
  readonly streamBytes: number;
}

export function initPhases(events: readonly LogEvent[]): InitPhases {
  const find = (msg: string): LogEvent => {
    const event = events.find((candidate) => candidate.msg === msg);
    if (event === undefined) throw new Error(`the agent's init log has no "${msg}" line`);
    return event;
  };
  const cloning = find(CLONING);
  const received = find(RECEIVED);
  const complete = find(COMPLETE);
  const done = find(INIT_DONE);
  return {
    outcome: String(done.fields.outcome),
    streamSeconds: (received.timeMs - cloning.timeMs) / 1000,
    prepareAndCommitSeconds: (complete.timeMs - received.timeMs) / 1000,
    cloneSeconds: (complete.timeMs - cloning.timeMs) / 1000,
    streamBytes: Number(received.fields.bytes),
  };
}

/** The donor's own account of a backup it streamed (sidecar log line "backup stream ended"). */
export interface DonorReport {
  readonly seconds: number;
  readonly bytes: number;
  readonly result: string;
}

const STREAM_ENDED = 'backup stream ended';

export function donorReports(events: readonly LogEvent[]): DonorReport[] {
  return events.filter((event) => event.msg === STREAM_ENDED).map(toDonorReport);
}

function toDonorReport(event: LogEvent): DonorReport {
  return { seconds: Number(event.fields.seconds), bytes: Number(event.fields.bytes), result: String(event.fields.result) };
}
