import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { agentEnvironment } from '../cluster/agent.js';
import type { Cluster, Pod } from '../cluster/index.js';
import { AGENT_MAIN } from '../support/agent.js';
import { parseLog } from './agent-log.js';
import { median } from './stats.js';

const START_TO_ANSWER = fileURLToPath(new URL('./pod/start-to-answer.mjs', import.meta.url));

/** Off the running sidecar's ports (8080 HTTP, 3307 clone), so both run side by side. */
export const EXTRA_HTTP_PORT = 18080;
export const EXTRA_CLONE_PORT = 13307;
export const BASELINE_PORT = 18081;
/** The least a node HTTP server can do: what node itself costs before the agent's own start-up. */
export function bareServerScript(port: number): string {
  return `require('http').createServer((q,s)=>s.end('ok')).listen(${port})`;
}
const POLL_MS = 5;

export interface StartRun {
  readonly key: 'agent' | 'baseline';
  readonly run: number;
  readonly pid: number;
  readonly seconds: number | null;
  readonly status: number | null;
  readonly attempts: number;
  readonly exit: { readonly code: number | null; readonly signal: string | null };
  readonly exitedBeforeAnswer: boolean;
  /** From the agent's own log: its first line and its "serving" line, in seconds after spawn (wall clock, ms grain). */
  readonly firstLogSeconds?: number;
  readonly servingLogSeconds?: number;
}

export interface StartResult {
  readonly runs: readonly StartRun[];
  readonly agentMedianSeconds: number;
  readonly baselineMedianSeconds: number;
  readonly agentServingLogMedianSeconds: number | undefined;
}

/**
 * Spawn to the first HTTP answer on /healthz of an extra `mysql-sts-agent serve`
 * in `pod` (other ports, the pod's agent environment), against a bare node
 * HTTP server, alternating, `runs` times each, timed from inside the pod.
 */
export async function measureStart(input: { cluster: Cluster; pod: Pod; runs: number }): Promise<StartResult> {
  const { cluster, pod, runs } = input;
  const config = {
    runs,
    pollMs: POLL_MS,
    timeoutMs: 15_000,
    graceMs: 5_000,
    logDir: pod.paths.logs,
    subjects: [
      { key: 'agent', command: [process.execPath, AGENT_MAIN, 'serve'], env: { HTTP_PORT: String(EXTRA_HTTP_PORT), CLONE_PORT: String(EXTRA_CLONE_PORT) }, port: EXTRA_HTTP_PORT, path: '/healthz' },
      { key: 'baseline', command: [process.execPath, '-e', bareServerScript(BASELINE_PORT)], port: BASELINE_PORT, path: '/healthz' },
    ],
  };
  // The agent's environment goes through the environment, not argv (the script's children inherit it).
  const result = await pod.exec('node', [START_TO_ANSWER, JSON.stringify(config)], {
    env: agentEnvironment(cluster, pod),
    reject: false,
    timeoutMs: runs * 2 * 25_000,
  });
  if (result.exitCode !== 0) throw new Error(`the start-up timer in ${pod.name} exited ${result.exitCode}:\n${result.stderr.trim().slice(-2000)}`);
  const parsed = JSON.parse(result.stdout.trim().split('\n').at(-1) ?? '') as { runs: (StartRun & { spawnedAtMs: number })[] };
  const runsOut: StartRun[] = [];
  for (const run of parsed.runs) {
    const { spawnedAtMs, ...rest } = run;
    if (run.key !== 'agent') {
      runsOut.push(rest);
      continue;
    }
    const events = parseLog(await readFile(join(pod.paths.logs, `bench-start-agent-${run.run}.log`), 'utf8').catch(() => ''));
    const serving = events.find((event) => event.msg === 'serving');
    runsOut.push({
      ...rest,
      firstLogSeconds: events[0] === undefined ? undefined : (events[0].timeMs - spawnedAtMs) / 1000,
      servingLogSeconds: serving === undefined ? undefined : (serving.timeMs - spawnedAtMs) / 1000,
    });
  }
  const failed = runsOut.filter((run) => run.seconds === null);
  if (failed.length > 0) {
    throw new Error(`no answer from ${failed.map((run) => `${run.key} run ${run.run} (exit ${JSON.stringify(run.exit)})`).join(', ')}; see ${pod.paths.logs}/bench-start-*.log`);
  }
  const secondsOf = (key: StartRun['key']) => runsOut.filter((run) => run.key === key).map((run) => run.seconds as number);
  const servingTimes = runsOut.flatMap((run) => (run.servingLogSeconds === undefined ? [] : [run.servingLogSeconds]));
  return {
    runs: runsOut,
    agentMedianSeconds: median(secondsOf('agent')),
    baselineMedianSeconds: median(secondsOf('baseline')),
    agentServingLogMedianSeconds: servingTimes.length === 0 ? undefined : median(servingTimes),
  };
}
