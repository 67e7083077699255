// @ts-check
/**
 * Probe latency of an idle sidecar, run INSIDE a pod (`node healthz-latency.mjs '<json>'`):
 * first GET /status once (the role and readiness the sidecar reports: proof it
 * has a real server behind it), then `count` sequential GET /healthz, each on a
 * fresh connection as the kubelet makes them, timed from just before the
 * request to the end of the answer. Prints one JSON object on stdout.
 */
import http from 'node:http';

/** @type {{ port: number; count: number; timeoutMs: number }} */
const config = JSON.parse(process.argv[2] ?? '{}');

/** @returns {Promise<{ status: number; body: string }>} */
function get(/** @type {string} */ path) {
  return new Promise((resolve, reject) => {
    const request = http.get({ host: '127.0.0.1', port: config.port, path, agent: false }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      response.on('error', reject);
    });
    request.setTimeout(config.timeoutMs, () => request.destroy(new Error('timeout')));
    request.on('error', reject);
  });
}

const status = await get('/status');
const document = JSON.parse(status.body);
const times = [];
const statuses = {};
for (let i = 0; i < config.count; i++) {
  const started = performance.now();
  const answer = await get('/healthz');
  times.push(performance.now() - started);
  statuses[answer.status] = (statuses[answer.status] ?? 0) + 1;
}
times.sort((a, b) => a - b);
const at = (/** @type {number} */ q) => Number(times[Math.min(times.length - 1, Math.floor(q * times.length))].toFixed(3));
console.log(JSON.stringify({ role: document.role, ready: document.ready, healthz: { count: times.length, statuses, p50: at(0.5), p99: at(0.99), max: at(1) } }));
