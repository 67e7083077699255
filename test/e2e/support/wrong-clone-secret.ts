import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { signRequest } from '../../../src/clone/auth.js';
import { clonePassword } from '../../../src/clone/clone-plugin/clone-user.js';
import { BACKUP_PATH, UPGRADE_PROTOCOL } from '../../../src/clone/protocol.js';
import { Secret } from '../../../src/secret.js';
import { CLONE_PORT, CONTAINERS, runInitContainer, startSidecar, waitForProbe, waitForSidecar } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { httpRequestUnix } from '../../cluster/unix-http.js';
import { pidsNamed } from '../../support/pod-inspect.js';
import { metricsOf, readyzOf, statusOf, waitForReadyz, waitForStatus } from '../../support/pod-probes.js';
import { expectFailedInit } from './bad-init.js';
import { counter } from './metrics.js';
import { initOutcomeOf, parseLog } from './pod-start.js';
import { stopSidecar } from './pod-lifecycle.js';

/**
 * Scenario 10's wrong clone secret: `joiner` is handed a CLONE_SECRET that
 * differs from the set's. Backup stream: the donor's sidecar answers 401 to
 * requests signed with it and init fails (exit 5, empty data dir). CLONE
 * plugin: the secret derives the donor-side user's password, so init (which
 * only asks for the clone) succeeds, and the sidecar's CLONE INSTANCE is
 * refused by the donor's server (access denied): the pod never becomes Ready,
 * says why in /readyz, keeps retrying, and its server is never restarted on
 * anything.
 */

const WRONG_SECRET = 'a-different-clone-secret';
const QUICK_DEADLINE = { INIT_DEADLINE_SECONDS: '4' };

function writeWrongSecret(cluster: Cluster): string {
  const file = join(cluster.dir, 'wrong-clone-secret');
  writeFileSync(file, `${WRONG_SECRET}\n`, { mode: 0o600 });
  return file;
}

export async function expectStreamRefused(cluster: Cluster, primary: Pod, joiner: Pod): Promise<void> {
  const socket = await primary.forward(CLONE_PORT);
  const before = await metricsOf(primary);
  const authorization = signRequest({ method: 'GET', path: BACKUP_PATH, pod: 'mysql-1', secret: 'not-the-clone-secret' });
  const asked: Record<string, string>[] = [{ authorization }, { authorization, connection: 'Upgrade', upgrade: UPGRADE_PROTOCOL }];
  for (const headers of asked) {
    const response = await httpRequestUnix({ socketPath: socket, path: BACKUP_PATH, headers });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ error: 'unauthorized' });
  }
  const init = await runInitContainer(cluster, joiner, { CLONE_SECRET_FILE: writeWrongSecret(cluster), ...QUICK_DEADLINE });
  expectFailedInit(joiner, init, { exitCode: 5, line: /mysql-0 refused our credentials \(401\): CLONE_SECRET must be the same on every pod/ });
  expect(init.stderr).not.toContain(WRONG_SECRET);
  const after = await metricsOf(primary);
  const unauthorized = 'mysql_sts_clone_requests_rejected_total{reason="unauthorized"}';
  expect(counter(after, unauthorized)).toBeGreaterThanOrEqual(counter(before, unauthorized) + 3);
  expect(counter(after, 'mysql_sts_clone_served_bytes_total')).toBe(counter(before, 'mysql_sts_clone_served_bytes_total'));
  expect(await pidsNamed(primary, 'mariadb-backup')).toEqual([]);
}

/** Ends with the joiner's containers stopped and its volume empty again, for the next scenario. */
export async function expectClonePluginRefused(cluster: Cluster, primary: Pod, joiner: Pod): Promise<void> {
  const env = { CLONE_SECRET_FILE: writeWrongSecret(cluster) };
  const init = await runInitContainer(cluster, joiner, env);
  expect(init.exitCode, init.stderr).toBe(0);
  expect(initOutcomeOf(parseLog(init.stdout))).toBe('clone-pending');
  await joiner.startServer({ timeoutMs: 120_000 });
  await waitForProbe(joiner, CONTAINERS.server, 'startupProbe', 120_000);
  startSidecar(cluster, joiner, { ...env, READY_CHECKS: '2' });
  await waitForSidecar(joiner);
  try {
    const refused = /^waiting to clone: failed to clone from any donor: mysql-0: .*Access denied for user 'mysql_sts_clone'/;
    await waitForReadyz(joiner, 503, { timeoutMs: 60_000, reasons: [refused] });
    // It keeps trying (with back-off) and stays out: a second refusal, still 503, the server never restarted onto anything.
    const doc = await waitForStatus(joiner, 'a second refused clone', (d) => (d.cloning?.failures ?? 0) >= 2, 60_000);
    expect(doc).toMatchObject({ ready: false, dataDir: 'clone-pending', clone: null, cloning: { phase: 'waiting' } });
    expect((await readyzOf(joiner)).status).toBe(503);
    expect(joiner.server.restartCount).toBe(0);
    const agentDir = joiner.paths.state;
    expect([existsSync(join(agentDir, 'initialized')), existsSync(join(agentDir, 'clone.json')), existsSync(join(agentDir, 'clone-request.json'))]).toEqual([false, false, true]);
    const [schemas] = await joiner.query<{ n: number }>("SELECT COUNT(*) AS n FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = 'app'");
    expect(Number(schemas?.n)).toBe(0);
    // Neither the wrong secret nor the password derived from it reaches the log (the statement failed with it inside).
    const sidecarLog = readFileSync(join(joiner.paths.logs, 'sidecar.log'), 'utf8');
    for (const secret of [WRONG_SECRET, clonePassword(new Secret(WRONG_SECRET, 'test')).reveal()]) expect(sidecarLog).not.toContain(secret);
    // The donor's side is untouched.
    expect((await statusOf(primary)).ready).toBe(true);
  } finally {
    await stopSidecar(joiner);
    await joiner.stopServer();
    cluster.removePodData(joiner.n);
  }
}
