import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { signRequest } from '../../../src/clone/auth.js';
import { clonePassword } from '../../../src/clone/clone-plugin/clone-user.js';
import { BACKUP_PATH, UPGRADE_PROTOCOL } from '../../../src/clone/protocol.js';
import { Secret } from '../../../src/secret.js';
import { CLONE_PORT, runInitContainer, setOf } from '../../cluster/agent.js';
import type { Cluster } from '../../cluster/cluster.js';
import type { Pod } from '../../cluster/pod.js';
import { httpRequestUnix } from '../../cluster/unix-http.js';
import { waitFor } from '../../cluster/wait.js';
import { pidsNamed } from '../../support/pod-inspect.js';
import { metricsOf, statusOf } from '../../support/pod-probes.js';
import { expectFailedInit } from './bad-init.js';
import { counter } from './metrics.js';

/**
 * Scenario 10's wrong clone secret: `joiner` is handed a CLONE_SECRET that
 * differs from the set's. Its peers' /status answers do not check with it, so
 * init never asks a donor for anything: it exits 3 at once with one line
 * (waiting cannot fix a secret), the data dir empty, the secret in no output.
 * Backup stream: requests signed with it also get 401 from the donor's sidecar
 * and no data. CLONE plugin: the donor's server never sees the clone user.
 */

const WRONG_SECRET = 'a-different-clone-secret';

function writeWrongSecret(cluster: Cluster): string {
  const file = join(cluster.dir, 'wrong-clone-secret');
  writeFileSync(file, `${WRONG_SECRET}\n`, { mode: 0o600 });
  return file;
}

/** Init with the wrong secret: exit 3, one line naming the peer and the fix, an empty data dir. */
export async function expectInitRefusesWrongSecret(cluster: Cluster, joiner: Pod): Promise<void> {
  const init = await runInitContainer(cluster, joiner, { CLONE_SECRET_FILE: writeWrongSecret(cluster) });
  const line = /invalid configuration: CLONE_SECRET is not the one mysql-0(, mysql-\d)* sign with \(their answers do not check\): mount the same Secret in every pod of the set/;
  expectFailedInit(joiner, init, { exitCode: 3, line });
  for (const secret of [WRONG_SECRET, clonePassword(new Secret(WRONG_SECRET, 'test'), setOf(cluster)).reveal()]) {
    expect(init.stdout + init.stderr).not.toContain(secret);
  }
}

export async function expectStreamRefused(cluster: Cluster, primary: Pod, joiner: Pod): Promise<void> {
  const socket = await primary.forward(CLONE_PORT);
  const before = await metricsOf(primary);
  const authorization = signRequest({ set: setOf(cluster), method: 'GET', path: BACKUP_PATH, pod: 'mysql-1', secret: 'not-the-clone-secret' });
  const asked: Record<string, string>[] = [{ authorization }, { authorization, connection: 'Upgrade', upgrade: UPGRADE_PROTOCOL }];
  for (const headers of asked) {
    const response = await httpRequestUnix({ socketPath: socket, path: BACKUP_PATH, headers });
    expect(response.status).toBe(401);
    expect(JSON.parse(response.body)).toEqual({ error: 'unauthorized' });
  }
  await expectInitRefusesWrongSecret(cluster, joiner);
  const unauthorized = 'mysql_sts_clone_requests_rejected_total{reason="unauthorized"}';
  // /metrics may serve a rendering up to a second old (ARCHITECTURE.md, "HTTP surface and metrics"), and init now ends within it.
  const after = await waitFor(
    async () => {
      const text = await metricsOf(primary);
      return counter(text, unauthorized) >= counter(before, unauthorized) + 2 ? text : undefined;
    },
    { what: "the donor's metrics to count our two refusals", timeoutMs: 5_000 },
  );
  // Our two requests only: the joiner, whose secret does not check mysql-0's answer, never asked it for a backup.
  expect(counter(after, unauthorized)).toBe(counter(before, unauthorized) + 2);
  expect(counter(after, 'mysql_sts_clone_served_bytes_total')).toBe(counter(before, 'mysql_sts_clone_served_bytes_total'));
  expect(await pidsNamed(primary, 'mariadb-backup')).toEqual([]);
}

/** The CLONE plugin: init stops (empty data dir, no clone request) before a server could ask the donor's server anything; the donor still serves. */
export async function expectClonePluginRefused(cluster: Cluster, primary: Pod, joiner: Pod): Promise<void> {
  await expectInitRefusesWrongSecret(cluster, joiner);
  expect((await statusOf(primary)).ready).toBe(true);
}
