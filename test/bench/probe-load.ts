import { fileURLToPath } from 'node:url';
import type { Connection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';
import { HTTP_PORT } from '../cluster/agent.js';
import type { Pod } from '../cluster/index.js';
import { clockTicksPerSecond, cpuSecondsBetween, readProc } from './proc.js';

const OPEN_LOOP = fileURLToPath(new URL('./pod/open-loop.mjs', import.meta.url));

export interface LoadSettings {
  /** Requests per second, scheduled open-loop. */
  readonly rate: number;
  /** Measured seconds (after the warm-up). */
  readonly seconds: number;
  /** Seconds at the same rate before measuring, not in the latency figures (but in the SQL count). */
  readonly warmupSeconds: number;
}

export interface LatencySummary {
  readonly p50: number | null;
  readonly p90: number | null;
  readonly p99: number | null;
  readonly p999: number | null;
  readonly max: number | null;
  readonly mean: number | null;
}

/** What test/bench/pod/open-loop.mjs prints. */
export interface GeneratorResult {
  readonly path: string;
  readonly rate: number;
  readonly warmupRequests: number;
  readonly requests: number;
  readonly statuses: Readonly<Record<string, number>>;
  readonly errors: Readonly<Record<string, number>>;
  readonly bodyBytes: number;
  readonly newSockets: number;
  readonly wallSeconds: number;
  readonly generatorCpuSeconds: number;
  /** From the time the request was due: what a client on the schedule saw (stalls included). */
  readonly latencyFromDueMs: LatencySummary;
  /** From the time it was sent: the server's response time alone. */
  readonly latencyFromSendMs: LatencySummary;
  /** How late the generator sent (send − due): its own timer and event-loop delay. */
  readonly sendLagMs: LatencySummary;
}

/** SQL the server ran during the load, against an idle window as long. */
export interface SqlCount {
  readonly underLoad: number;
  readonly loadSeconds: number;
  readonly idle: number;
  readonly idleSeconds: number;
  /** Requests sent in the load window (warm-up included). */
  readonly requests: number;
  /** (under load − idle scaled to the same length) / requests: 0 when requests run no SQL. */
  readonly perRequest: number;
}

export interface LoadWindow {
  /** What took the load: the sidecar, or the bare node server that calibrates the machine and the generator. */
  readonly target: 'sidecar' | 'bare node';
  readonly port: number;
  readonly path: string;
  readonly generator: GeneratorResult;
  readonly sql: SqlCount;
  /** Requests answered per second over the whole run (warm-up included): below the rate when the server could not keep up. */
  readonly answeredPerSecond: number;
  /** The server process's CPU during the load window (utime + stime). */
  readonly serverCpuSeconds: number;
  readonly serverCpuShare: number;
  readonly serverCpuMicrosPerRequest: number;
}

async function readQuestions(conn: Connection): Promise<number> {
  const [rows] = await conn.query("SHOW GLOBAL STATUS LIKE 'Questions'");
  const row = (rows as Array<{ Value?: string; value?: string }>)[0];
  const value = Number(row?.Value ?? row?.value);
  if (!Number.isFinite(value)) throw new Error("SHOW GLOBAL STATUS LIKE 'Questions' returned no number");
  return value;
}

/**
 * One load window on 127.0.0.1:`port``path` from inside the pod (the sidecar
 * by default), then an idle window of the same length: the MariaDB server's
 * `Questions` counter read around each says how many statements the requests
 * caused (the control loop's own statements are in both windows and cancel out).
 * `serverPid` is the process whose CPU is read: the one answering.
 */
export async function runLoadWindow(input: {
  pod: Pod;
  serverPid: number;
  target: LoadWindow['target'];
  port?: number;
  path: string;
  settings: LoadSettings;
}): Promise<LoadWindow> {
  const { pod, serverPid, target, path, settings } = input;
  const port = input.port ?? HTTP_PORT;
  const hz = await clockTicksPerSecond();
  const config = { port, path, rate: settings.rate, seconds: settings.seconds, warmupSeconds: settings.warmupSeconds, timeoutMs: 10_000 };
  const conn = await pod.connect();
  try {
    const q0 = await readQuestions(conn);
    const cpu0 = readProc(serverPid);
    const result = await pod.exec('node', [OPEN_LOOP, JSON.stringify(config)], { reject: false, timeoutMs: (settings.seconds + settings.warmupSeconds) * 1000 + 60_000 });
    const cpu1 = readProc(serverPid);
    const q1 = await readQuestions(conn);
    const loadSeconds = Number(cpu1.at - cpu0.at) / 1e9;
    if (result.exitCode !== 0) throw new Error(`the load generator in ${pod.name} exited ${result.exitCode}:\n${result.stderr.trim().slice(-2000)}`);
    const generator = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as GeneratorResult;

    const i0 = await readQuestions(conn);
    const idleStarted = process.hrtime.bigint();
    await sleep(loadSeconds * 1000);
    const i1 = await readQuestions(conn);
    const idleSeconds = Number(process.hrtime.bigint() - idleStarted) / 1e9;

    const requests = generator.requests + generator.warmupRequests;
    const underLoad = q1 - q0;
    const idle = i1 - i0;
    const serverCpuSeconds = cpuSecondsBetween(cpu0, cpu1, hz);
    return {
      target,
      port,
      path,
      generator,
      sql: { underLoad, loadSeconds, idle, idleSeconds, requests, perRequest: (underLoad - idle * (loadSeconds / idleSeconds)) / requests },
      answeredPerSecond: requests / generator.wallSeconds,
      serverCpuSeconds,
      serverCpuShare: serverCpuSeconds / loadSeconds,
      serverCpuMicrosPerRequest: (serverCpuSeconds / requests) * 1e6,
    };
  } finally {
    await conn.end().catch(() => undefined);
  }
}
