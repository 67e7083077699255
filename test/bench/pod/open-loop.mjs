// @ts-check
/**
 * Open-loop HTTP load generator, run INSIDE a pod (`node open-loop.mjs '<json>'`)
 * so that only the sidecar and the pod's loopback are measured, not the
 * harness's unix-socket forwarder.
 *
 * Request i is due at t0 + i / rate. A worker thread keeps the schedule
 * (Atomics.wait sleeps with sub-millisecond precision, where node's timers
 * round to whole milliseconds) and wakes the main thread, which sends every
 * request that is due. Latency is taken from the DUE time, not the send time:
 * a stalled server (or a stalled generator) cannot hide its stall by delaying
 * the requests that would have measured it (coordinated omission). The send
 * lag (send − due) is reported too, so the generator's own lateness is visible.
 * Requests never wait for each other: a keep-alive agent opens another socket
 * when all are busy.
 *
 * Prints one JSON object on stdout.
 */
import http from 'node:http';
import { Worker } from 'node:worker_threads';

/** @type {{ port: number; path: string; rate: number; seconds: number; warmupSeconds: number; timeoutMs: number }} */
const config = JSON.parse(process.argv[2] ?? '{}');
const intervalNs = 1e9 / config.rate;
const warmup = Math.round(config.rate * config.warmupSeconds);
const measured = Math.round(config.rate * config.seconds);
const total = warmup + measured;

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
const fromDue = new Float64Array(measured).fill(Number.NaN);
const fromSend = new Float64Array(measured).fill(Number.NaN);
const sendLag = new Float64Array(measured).fill(Number.NaN);
/** @type {Record<string, number>} */
const statuses = {};
/** @type {Record<string, number>} */
const errors = {};
let bodyBytes = 0;
let sockets = 0;
let done = 0;
let next = 0;

// Start a little later than now, so the worker is running before the first request is due.
const t0 = process.hrtime.bigint() + 50_000_000n;
const dueAt = (/** @type {number} */ i) => t0 + BigInt(Math.round(i * intervalNs));

/** Called when request i ended (answer read to the end, or failed). */
function finish(/** @type {number} */ i, /** @type {bigint} */ due, /** @type {bigint} */ sent, /** @type {string} */ outcome) {
  const end = process.hrtime.bigint();
  if (i >= warmup) {
    const k = i - warmup;
    fromDue[k] = Number(end - due) / 1e6;
    fromSend[k] = Number(end - sent) / 1e6;
    sendLag[k] = Number(sent - due) / 1e6;
    if (/^\d+$/.test(outcome)) statuses[outcome] = (statuses[outcome] ?? 0) + 1;
    else errors[outcome] = (errors[outcome] ?? 0) + 1;
  }
  done++;
  if (done === total) report();
}

function fire(/** @type {number} */ i) {
  const due = dueAt(i);
  const sent = process.hrtime.bigint();
  let ended = false;
  const end = (/** @type {string} */ outcome) => {
    if (ended) return;
    ended = true;
    finish(i, due, sent, outcome);
  };
  const request = http.get({ host: '127.0.0.1', port: config.port, path: config.path, agent }, (response) => {
    response.on('data', (/** @type {Buffer} */ chunk) => {
      if (i >= warmup) bodyBytes += chunk.length;
    });
    response.on('end', () => end(String(response.statusCode)));
    response.on('error', (error) => end(`response ${error.message}`));
  });
  request.on('socket', (socket) => {
    // A reused keep-alive socket is already connected; only new ones count.
    if (socket.connecting) sockets++;
  });
  request.setTimeout(config.timeoutMs, () => request.destroy(new Error(`timeout after ${config.timeoutMs} ms`)));
  request.on('error', (error) => end(/** @type {NodeJS.ErrnoException} */ (error).code ?? error.message));
}

function sendDue() {
  const now = process.hrtime.bigint();
  while (next < total && dueAt(next) <= now) fire(next++);
}

const clock = new Worker(
  `
  const { workerData, parentPort } = require('node:worker_threads');
  const { t0, intervalNs, total } = workerData;
  const cell = new Int32Array(new SharedArrayBuffer(4));
  for (let i = 0; i < total; i++) {
    const due = BigInt(t0) + BigInt(Math.round(i * intervalNs));
    for (;;) {
      const leftMs = Number(due - process.hrtime.bigint()) / 1e6;
      if (leftMs <= 0) break;
      Atomics.wait(cell, 0, 0, leftMs);
    }
    parentPort.postMessage(i);
  }
  `,
  { eval: true, workerData: { t0: String(t0), intervalNs, total } },
);
clock.on('message', sendDue);
clock.on('error', (error) => {
  process.stderr.write(`clock worker failed: ${error.message}\n`);
  process.exit(1);
});

/** Nearest-rank percentile of an ascending array (ms, rounded to the microsecond). */
function percentile(/** @type {Float64Array} */ sorted, /** @type {number} */ p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return Math.round((sorted[rank] ?? Number.NaN) * 1000) / 1000;
}

function summary(/** @type {Float64Array} */ values) {
  const sorted = values.filter((x) => !Number.isNaN(x)).sort();
  let sum = 0;
  for (const x of sorted) sum += x;
  return {
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    p999: percentile(sorted, 99.9),
    max: percentile(sorted, 100),
    mean: sorted.length === 0 ? null : Math.round((sum / sorted.length) * 1000) / 1000,
  };
}

function report() {
  const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage();
  const result = {
    path: config.path,
    rate: config.rate,
    warmupRequests: warmup,
    requests: measured,
    statuses,
    errors,
    bodyBytes,
    newSockets: sockets,
    wallSeconds: Math.round(wallSeconds * 1000) / 1000,
    generatorCpuSeconds: Math.round(((cpu.user + cpu.system) / 1e6) * 1000) / 1000,
    latencyFromDueMs: summary(fromDue),
    latencyFromSendMs: summary(fromSend),
    sendLagMs: summary(sendLag),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  agent.destroy();
  void clock.terminate();
}
