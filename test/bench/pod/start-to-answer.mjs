// @ts-check
/**
 * Start-to-first-answer timer, run INSIDE a pod (`node start-to-answer.mjs '<json>'`).
 * For each run: spawn a server, then from inside the pod's namespace ask
 * http://127.0.0.1:<port><path> every `pollMs` until the first HTTP response
 * (any status), and take the time from just before spawn() to that response.
 * The server is then ended by its PID (SIGTERM, SIGKILL after a grace period)
 * and its exit awaited before the next run. Subjects alternate, run by run, so
 * a drift in machine load hits them alike.
 *
 * The child inherits this process's environment (the caller passes the agent's).
 * Prints one JSON object on stdout.
 */
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import http from 'node:http';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * @typedef {{ key: string; command: string[]; env?: Record<string, string>; port: number; path: string }} Subject
 * @type {{ subjects: Subject[]; runs: number; pollMs: number; timeoutMs: number; graceMs: number; logDir: string }}
 */
const config = JSON.parse(process.argv[2] ?? '{}');

/** One HTTP GET on a fresh connection; resolves with the status, rejects on refusal or timeout. */
function ask(/** @type {number} */ port, /** @type {string} */ path) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port, path, agent: false }, (response) => {
      response.resume();
      response.on('end', () => resolve(response.statusCode ?? 0));
      response.on('error', reject);
    });
    request.setTimeout(config.timeoutMs, () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

/** @param {import('node:child_process').ChildProcess} child */
function exited(child) {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once('exit', (code, signal) => resolve({ code, signal }));
  });
}

/** @type {Set<import('node:child_process').ChildProcess>} */
const live = new Set();
// Whatever happens to this script, what it started goes with it (by PID).
process.on('exit', () => {
  for (const child of live) if (child.pid !== undefined) try { process.kill(child.pid, 'SIGKILL'); } catch {}
});
for (const signal of /** @type {const} */ (['SIGTERM', 'SIGINT'])) process.on(signal, () => process.exit(1));

/** @param {Subject} subject @param {number} run */
async function once(subject, run) {
  const log = openSync(join(config.logDir, `bench-start-${subject.key}-${run}.log`), 'w');
  const spawnedAtMs = Date.now();
  const started = process.hrtime.bigint();
  const [file, ...args] = subject.command;
  const child = spawn(/** @type {string} */ (file), args, { stdio: ['ignore', log, log], env: { ...process.env, ...subject.env } });
  closeSync(log);
  live.add(child);
  const gone = exited(child);
  let attempts = 0;
  let status;
  let seconds;
  const deadline = started + BigInt(config.timeoutMs) * 1_000_000n;
  for (;;) {
    const attemptAt = process.hrtime.bigint();
    attempts++;
    try {
      status = await ask(subject.port, subject.path);
      seconds = Number(process.hrtime.bigint() - started) / 1e9;
      break;
    } catch {
      // not listening yet
    }
    if (child.exitCode !== null || child.signalCode !== null) break;
    if (process.hrtime.bigint() > deadline) break;
    const waitMs = config.pollMs - Number(process.hrtime.bigint() - attemptAt) / 1e6;
    if (waitMs > 0) await sleep(waitMs);
  }
  const ended = child.exitCode !== null || child.signalCode !== null;
  if (!ended && child.pid !== undefined) {
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => child.pid !== undefined && child.exitCode === null && process.kill(child.pid, 'SIGKILL'), config.graceMs);
    await gone;
    clearTimeout(timer);
  }
  const exit = await gone;
  live.delete(child);
  return { key: subject.key, run, pid: child.pid, spawnedAtMs, seconds: seconds === undefined ? null : Math.round(seconds * 10000) / 10000, status: status ?? null, attempts, exit, exitedBeforeAnswer: ended && seconds === undefined };
}

const runs = [];
for (let run = 1; run <= config.runs; run++) {
  // Alternate which subject goes first, too.
  const order = run % 2 === 1 ? config.subjects : [...config.subjects].reverse();
  for (const subject of order) runs.push(await once(subject, run));
}
process.stdout.write(`${JSON.stringify({ runs })}\n`);
