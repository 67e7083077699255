import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { readCloneInfo } from '../../src/data-dir/clone-info.js';
import { dataDirLayout } from '../../src/data-dir/layout.js';
import { valueOf } from '../../src/data-dir/state-file.js';
import { runInitContainer, startSidecar, waitForReady } from '../cluster/agent.js';
import { GiveUp, waitFor, type ManagedProcess, type Pod } from '../cluster/index.js';
import { parseLog, type LogEvent } from './agent-log.js';
import { CLONE_TIMEOUT_MS, finishTrial, SERVER_TIMEOUT_MS, type MysqlTrialContext, type MysqlTrialTiming } from './mysql-trial.js';

/** Messages of src/clone/clone-plugin/provisioner.ts, src/replication/role-checks.ts and src/lifecycle/init.ts. */
const CLONING = 'cloning';
const POINTED = 'pointing replication at the primary';
const INIT_DONE = 'init done';

/**
 * The agent as the StatefulSet runs it on an empty MySQL pod: init (which
 * leaves clone-request.json and exits 0, clone-pending), then the server
 * container (the harness's empty server) and the sidecar together, as the
 * kubelet starts a pod's containers (it waits for no probe in between); the
 * sidecar runs CLONE INSTANCE once the server answers; mysqld exits (3707), the harness restarts it, the sidecar
 * records the clone (clone.json, then the marker) and, with `untilReady`,
 * points replication at mysql-0 until /readyz says 200.
 */
export async function agentTrial(ctx: MysqlTrialContext, recipient: Pod, untilReady: boolean): Promise<MysqlTrialTiming> {
  const startMs = Date.now();
  const init = await runInitContainer(ctx.cluster, recipient);
  if (init.exitCode !== 0) throw new Error(`mysql-sts-agent init in ${recipient.name} exited ${init.exitCode}: ${init.stderr.trim().slice(-2000)}`);
  const outcome = parseLog(init.stdout).find((event) => event.msg === INIT_DONE)?.fields.outcome;
  if (outcome !== 'clone-pending') throw new Error(`mysql-sts-agent init in ${recipient.name} ended ${String(outcome)}, not clone-pending: the volume was not empty?`);
  const initDone = Date.now();
  const serverStarts = recipient.startServer({ timeoutMs: SERVER_TIMEOUT_MS });
  const sidecar = startSidecar(ctx.cluster, recipient);
  await serverStarts;
  const answered = Date.now();
  await waitForMarker(recipient, sidecar);
  const recorded = Date.now();
  if (untilReady) await waitForReady(recipient, SERVER_TIMEOUT_MS);
  const ready = untilReady ? Date.now() : undefined;
  const log = parseLog(await readFile(sidecar.record.logFile, 'utf8'));
  // pino's times have ms grain; the bench's reading before a spawn may fall a little after the first line's.
  const cloneIssued = firstAfter(log, initDone - 1, (event) => event.msg === CLONING && event.fields.method === 'clone-plugin', 'its "cloning" (CLONE INSTANCE) line');
  // The sidecar may find the server before the harness's 50 ms poll does: the server answered by then.
  const serverUp = Math.min(answered, cloneIssued);
  const pointed = untilReady ? firstAfter(log, recorded - 1000, (event) => event.msg === POINTED, `its "${POINTED}" line`) : undefined;
  const timing = await finishTrial(ctx, recipient, startMs, { initDone, serverUp, cloneIssued, recorded, pointed, ready });
  const info = valueOf(await readCloneInfo(dataDirLayout(recipient.paths.data, recipient.paths.state)));
  if (info?.donor !== ctx.donor.name) throw new Error(`${recipient.name}'s clone.json names ${info?.donor ?? 'no donor'}, not ${ctx.donor.name}`);
  return { ...timing, cloneJson: { donor: info.donor, seconds: info.seconds, bytes: info.bytes } };
}

/** The sidecar writes clone.json, then the marker: the clone is recorded once the marker is there. */
async function waitForMarker(pod: Pod, sidecar: ManagedProcess): Promise<void> {
  const { marker } = dataDirLayout(pod.paths.data, pod.paths.state);
  await waitFor(
    async () => {
      if (existsSync(marker)) return true;
      if (!sidecar.alive) throw new GiveUp(new Error(`${pod.name}'s sidecar exited before it recorded the clone; see ${sidecar.record.logFile}`));
      return undefined;
    },
    { what: `${pod.name}'s sidecar to record the clone (${marker})`, timeoutMs: CLONE_TIMEOUT_MS, intervalMs: 20 },
  );
}

function firstAfter(log: readonly LogEvent[], sinceMs: number, matches: (event: LogEvent) => boolean, what: string): number {
  const event = log.find((candidate) => candidate.timeMs >= sinceMs && matches(candidate));
  if (event === undefined) throw new Error(`the sidecar's log has no ${what} after ${new Date(sinceMs).toISOString()}`);
  return event.timeMs;
}
