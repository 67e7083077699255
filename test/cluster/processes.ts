import { closeSync, openSync, readFileSync } from 'node:fs';
import { spawn, type ChildProcess } from 'node:child_process';
import { sleep } from './wait.js';

/**
 * A process the harness started. `startTime` (field 22 of /proc/<pid>/stat,
 * clock ticks since boot) makes the record unambiguous: a PID the kernel has
 * recycled for another process has another start time, so we never signal it.
 */
export interface ProcessRecord {
  pid: number;
  startTime: string;
  /** What it is: `pause`, `mysqld`, `dnsmasq`, `forward-8080`, a command name. */
  label: string;
  /** The pod's ordinal, or null for cluster-wide processes (dnsmasq). */
  pod: number | null;
  logFile: string;
}

interface ProcStat {
  state: string;
  startTime: string;
}

function readProcStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // comm (field 2) may contain spaces and parentheses: split after the last ')'.
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const state = rest[0];
  const startTime = rest[19];
  if (state === undefined || startTime === undefined) return undefined;
  return { state, startTime };
}

export function readStartTime(pid: number): string | undefined {
  return readProcStat(pid)?.startTime;
}

/** Alive = the same process (same start time) exists and is not a zombie. */
export function isAlive(rec: Pick<ProcessRecord, 'pid' | 'startTime'>): boolean {
  const stat = readProcStat(rec.pid);
  return stat !== undefined && stat.startTime === rec.startTime && stat.state !== 'Z';
}

/** Sends `signal` only if `rec` still names the process we started. */
export function signalProcess(rec: Pick<ProcessRecord, 'pid' | 'startTime'>, signal: NodeJS.Signals): boolean {
  if (!isAlive(rec)) return false;
  try {
    process.kill(rec.pid, signal);
    return true;
  } catch {
    return false; // exited between the check and the kill
  }
}

export async function waitForExit(rec: Pick<ProcessRecord, 'pid' | 'startTime'>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (isAlive(rec)) {
    if (Date.now() >= deadline) return false;
    await sleep(20);
  }
  return true;
}

/** SIGTERM, wait up to `graceMs`, then SIGKILL whatever is left; resolves when all are gone. */
export async function terminateAll(recs: readonly Pick<ProcessRecord, 'pid' | 'startTime'>[], graceMs: number): Promise<void> {
  for (const rec of recs) {
    signalProcess(rec, 'SIGTERM');
    signalProcess(rec, 'SIGCONT'); // a paused (SIGSTOPped) process acts on SIGTERM only once resumed
  }
  const exited = await Promise.all(recs.map((rec) => waitForExit(rec, graceMs)));
  const survivors = recs.filter((_, i) => exited[i] !== true);
  for (const rec of survivors) signalProcess(rec, 'SIGKILL');
  const gone = await Promise.all(survivors.map((rec) => waitForExit(rec, 5000)));
  const stuck = survivors.filter((_, i) => gone[i] !== true).map((r) => r.pid);
  if (stuck.length > 0) throw new Error(`failed to kill processes ${stuck.join(', ')}: still alive after SIGKILL`);
}

/** The records of one cluster; every change is reported so the state file follows. */
export class ProcessTable {
  private readonly live = new Map<number, ProcessRecord>();
  /** Every process ever started, for tests that check nothing survived. */
  readonly history: ProcessRecord[] = [];

  constructor(private readonly onChange: () => void) {}

  add(rec: ProcessRecord): void {
    this.live.set(rec.pid, rec);
    this.history.push(rec);
    this.onChange();
  }

  remove(rec: ProcessRecord): void {
    if (this.live.get(rec.pid) === rec) {
      this.live.delete(rec.pid);
      this.onChange();
    }
  }

  list(filter: (rec: ProcessRecord) => boolean = () => true): ProcessRecord[] {
    return [...this.live.values()].filter(filter);
  }
}

export interface ExitInfo {
  exitCode: number | undefined;
  signal: string | undefined;
}

/** A running process we started; signals go only to the same process (PID + start time). */
export class ManagedProcess {
  constructor(
    readonly record: ProcessRecord,
    /**
     * Resolves when the process exits (only observable from the process that
     * started it). For detached (unref'd) children this alone does not keep
     * node running: wait with `stop`/`waitForExit` instead.
     */
    readonly exited: Promise<ExitInfo>,
  ) {}

  get pid(): number {
    return this.record.pid;
  }

  get alive(): boolean {
    return isAlive(this.record);
  }

  signal(signal: NodeJS.Signals): boolean {
    return signalProcess(this.record, signal);
  }

  /** SIGKILL (no SIGTERM first: a crash); resolves once it is gone. */
  async kill(): Promise<void> {
    this.signal('SIGKILL');
    if (!(await waitForExit(this.record, 5000))) throw new Error(`failed to kill ${this.record.label} (pid ${this.pid})`);
  }

  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it is gone. */
  async stop(graceMs: number): Promise<void> {
    await terminateAll([this.record], graceMs);
  }
}

export interface SpawnSpec {
  file: string;
  args: string[];
  env: Record<string, string>;
  label: string;
  pod: number | null;
  logFile: string;
  /** Own session, not killed with us: for clusters that outlive the CLI. */
  detached: boolean;
}

/** Non-detached processes die with us, like execa's `cleanup`: a test run that exits leaves no servers behind. */
const killOnExit = new Set<ProcessRecord>();
let exitHookInstalled = false;

function killOnExitHook(): void {
  for (const rec of killOnExit) signalProcess(rec, 'SIGKILL');
}

/**
 * Starts a long-running process with stdout/stderr appended to `logFile`.
 * node's spawn rather than execa: the log file descriptor must go to the
 * child directly (no pipe through us), so a detached child keeps logging
 * after this process exits, and execa's types reject descriptors above 9.
 */
export function spawnTracked(table: ProcessTable, spec: SpawnSpec): ManagedProcess {
  const fd = openSync(spec.logFile, 'a');
  let child: ChildProcess;
  try {
    child = spawn(spec.file, spec.args, { env: spec.env, stdio: ['ignore', fd, fd], detached: spec.detached });
  } finally {
    closeSync(fd); // the child has its own copy
  }
  // A failed spawn (ENOENT) also emits 'error', which would crash the process without a listener.
  child.once('error', () => undefined);
  const pid = child.pid;
  const startTime = pid === undefined ? undefined : readStartTime(pid);
  if (pid === undefined || startTime === undefined) {
    throw new Error(`failed to start ${spec.file}: no process (is it installed?); see ${spec.logFile}`);
  }
  const record: ProcessRecord = { pid, startTime, label: spec.label, pod: spec.pod, logFile: spec.logFile };
  table.add(record);
  const exited = new Promise<ExitInfo>((resolve) => {
    child.once('exit', (code, signal) => {
      table.remove(record);
      killOnExit.delete(record);
      resolve({ exitCode: code ?? undefined, signal: signal ?? undefined });
    });
  });
  if (spec.detached) {
    child.unref();
  } else {
    killOnExit.add(record);
    if (!exitHookInstalled) process.once('exit', killOnExitHook);
    exitHookInstalled = true;
  }
  return new ManagedProcess(record, exited);
}
