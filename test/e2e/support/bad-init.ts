import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { CLONE_PORT, runAgentIn, runInitContainer } from '../../cluster/agent.js';
import type { Cluster, ExecResult, ManagedProcess, Pod } from '../../cluster/index.js';
import { GiveUp, waitFor } from '../../cluster/index.js';
import type { Damage } from './corrupting-relay.js';
import { initOutcomeOf, parseLog } from './pod-start.js';
import type { E2eServer } from './servers.js';

/**
 * Checks of an init container that must fail, and the man in the middle
 * that makes a clone fail.
 */

const PROJECT_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const RELAY = fileURLToPath(new URL('./corrupting-relay.ts', import.meta.url));
/** The port recipients dial instead of CLONE_PORT to go through the relay. */
export const RELAY_PORT = 3308;

/** The kubelet creates the termination log before the container starts; the agent writes only into one that exists. */
export function terminationLogOf(pod: Pod): { reset: () => void; read: () => string } {
  const file = join(pod.paths.logs, 'termination-log');
  return { reset: () => writeFileSync(file, ''), read: () => readFileSync(file, 'utf8') };
}

/**
 * A failed init as a user meets it: the expected exit code, exactly one line
 * on stderr (prefixed with the command) matching `line`, the same reason in
 * the termination log, and a data dir with nothing in it (no marker, no staging).
 */
export function expectFailedInit(pod: Pod, result: ExecResult, expected: { exitCode: number; line: RegExp; terminationLog?: string }): string {
  const lines = result.stderr.trim().split('\n');
  expect({ exitCode: result.exitCode, lines: lines.length }, result.stderr).toEqual({ exitCode: expected.exitCode, lines: 1 });
  const line = lines[0] ?? '';
  expect(line).toMatch(/^mysql-sts-agent init: /);
  expect(line).toMatch(expected.line);
  if (expected.terminationLog !== undefined) expect(expected.terminationLog).toBe(`${line.replace(/^mysql-sts-agent init: /, '')}\n`);
  expect(readdirSync(pod.paths.data)).toEqual([]);
  return line;
}

export interface RunningRelay {
  readonly process: ManagedProcess;
  /** What the relay reported about each stream it damaged. */
  damaged(): { damage: Damage; flipped: number; bodyBytes: number }[];
  stop(): Promise<void>;
}

/** Starts the corrupting relay in the donor pod: RELAY_PORT → 127.0.0.1:CLONE_PORT. */
export async function startCorruptingRelay(donor: Pod, damage: Damage, afterBytes: number): Promise<RunningRelay> {
  const label = `relay-${damage}`;
  const log = join(donor.paths.logs, `${label}.log`);
  const offset = existsSync(log) ? readFileSync(log).length : 0;
  const read = (): string => (existsSync(log) ? readFileSync(log).subarray(offset).toString('utf8') : '');
  const args = ['--import', 'tsx', RELAY, String(RELAY_PORT), String(CLONE_PORT), damage, String(afterBytes)];
  const proc = donor.spawn(process.execPath, args, { label, cwd: PROJECT_ROOT });
  await waitFor(
    async () => {
      if (!proc.alive) throw new GiveUp(new Error(`the relay in ${donor.name} exited: ${read()}`));
      return read().includes('listening') ? true : undefined;
    },
    { what: `the corrupting relay in ${donor.name} to listen`, timeoutMs: 15_000 },
  );
  return {
    process: proc,
    damaged: () =>
      read()
        .split('\n')
        .filter((line) => line.startsWith('{'))
        .map((line) => JSON.parse(line) as { damage: Damage; flipped: number; bodyBytes: number }),
    stop: () => proc.stop(5_000),
  };
}

/**
 * Init without CLONE_SECRET on a pod that must clone. Backup stream: init
 * needs it to sign its requests and fails (exit 3, one line, empty data dir).
 * CLONE plugin: init only asks for the clone and does not read it, so it
 * exits 0 leaving the request; the sidecar, which derives the donor-side
 * user's password from it, is the container that refuses to start (exit 3,
 * one line). The test empties the volume again. Returns every result, for the
 * caller's no-secret-in-output check.
 */
export async function expectInitWithoutCloneSecret(cluster: Cluster, server: E2eServer, joiner: Pod): Promise<ExecResult[]> {
  const init = await runInitContainer(cluster, joiner, { CLONE_SECRET_FILE: '', INIT_DEADLINE_SECONDS: '4' });
  const serve = await runAgentIn(cluster, joiner, ['serve'], { CLONE_SECRET_FILE: '' });
  expect(serve.exitCode).toBe(3);
  expect(serve.stderr.trim().split('\n')).toEqual([expect.stringMatching(/^mysql-sts-agent serve: invalid configuration: CLONE_SECRET \(or CLONE_SECRET_FILE\) is unset/)]);
  if (server.clone.method === 'backup-stream') {
    expectFailedInit(joiner, init, { exitCode: 3, line: /invalid configuration: CLONE_SECRET \(or CLONE_SECRET_FILE\) is unset: this pod must clone/ });
  } else {
    expect(init.exitCode, init.stderr).toBe(0);
    expect(initOutcomeOf(parseLog(init.stdout))).toBe('clone-pending');
    expect(readdirSync(joiner.paths.state)).toEqual(['clone-request.json']);
    cluster.removePodData(joiner.n);
  }
  return [init, serve];
}
