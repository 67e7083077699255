import { join } from 'node:path';
import { Cluster } from '../cluster/cluster.js';
import { DEFAULT_ROOT } from '../cluster/options.js';
import { isAlive } from '../cluster/processes.js';
import { demoServer, type DemoOptions } from './args.js';
import { claimCluster, namespacesOf, removeLeftovers } from './leftovers.js';
import { createScreen, type Screen } from './screen.js';
import { DemoSession } from './session.js';
import { StopSignal } from './stop-signal.js';
import { checksumsEqual, nothingLost, renderSummary, summarize } from './summary.js';

/** How long the summary waits for the replicas to apply the writer's last rows. */
const CATCH_UP_MS = 60_000;

/** Exit codes: 0 the set ran and nothing was lost; 1 a failure or a lost row; 130 interrupted before the set was up. */
export async function runDemo(options: DemoOptions, output: NodeJS.WriteStream): Promise<number> {
  const dir = join(DEFAULT_ROOT, options.name);
  const removed = await removeLeftovers(dir);
  if (removed !== undefined) output.write(`${removed}\n`);
  // Detached: the cluster's processes are in their own sessions, so the terminal's
  // Ctrl-C reaches only us, and we take the set down in order.
  const server = demoServer(options.server);
  const cluster = await Cluster.create({ name: options.name, detached: true, overlay: server.overlay });
  claimCluster(cluster.dir);
  const title = `mysql-sts-agent demo: StatefulSet "mysql", ${options.pods} ${server.server} pods, cluster ${cluster.id} in ${cluster.dir}; Ctrl-C ends it`;
  const screen = createScreen(output, title);
  const stop = new StopSignal((line) => screen.print(line));
  stop.install();
  stop.watchParent();
  try {
    return await runCluster({ cluster, options, screen, stop });
  } finally {
    stop.tearingDown();
    await tearDown(cluster, screen);
    stop.uninstall();
  }
}

async function runCluster(input: { cluster: Cluster; options: DemoOptions; screen: Screen; stop: StopSignal }): Promise<number> {
  const { cluster, options, screen, stop } = input;
  const session = new DemoSession(cluster, options.pods, screen);
  const { kubelet } = session;
  session.startRefreshing();
  let failure: Error | undefined;
  void session.bringUp().then(
    () => {
      session.event(`all ${options.pods} pods Ready${options.durationSeconds === undefined ? '' : `; running ${options.durationSeconds}s more`}`);
      if (options.durationSeconds !== undefined) stop.after(options.durationSeconds);
    },
    (error: unknown) => {
      failure = error as Error;
      stop.stop('failure');
    },
  );
  const reason = await stop.stopped;
  kubelet.stop();
  await session.stopRefreshing();
  if (failure !== undefined) {
    screen.print(`failed to bring the set up: ${failure.message}`);
    return 1;
  }
  if (!session.isUp) {
    screen.print('interrupted before every pod was Ready: no summary');
    return 130;
  }
  const acknowledged = await session.stopWriter();
  const why = reason === 'duration' ? `--duration ${options.durationSeconds}s reached` : 'interrupted';
  screen.print(`stopping (${why}): writer stopped at ${acknowledged.length} rows; waiting for every pod to hold them (a Ctrl-C now skips this)`);
  const summary = await Promise.race([summarize(session.summaryPods(), acknowledged, CATCH_UP_MS), stop.hurried.then(() => undefined)]);
  if (summary === undefined) return 130;
  screen.print(renderSummary(summary));
  return nothingLost(summary) && checksumsEqual(summary) ? 0 : 1;
}

/** Down by PID and namespace, then a check that nothing is left, reported with the PIDs so scripts can verify too. */
async function tearDown(cluster: Cluster, screen: Screen): Promise<void> {
  screen.print(`tearing down cluster ${cluster.id}...`);
  await cluster.down();
  const started = cluster.startedProcesses();
  const alive = started.filter((rec) => isAlive(rec)).map((rec) => rec.pid);
  const namespaces = await namespacesOf(cluster.id);
  const pids = started.map((rec) => rec.pid).join(' ');
  screen.print(`down: cluster ${cluster.id}: processes ended: ${pids}; still alive: ${alive.join(' ') || 'none'}; namespaces left: ${namespaces.join(' ') || 'none'}`);
}
