import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { AGENT_MAIN } from '../support/agent.js';
import { startAgentPod } from './agent.js';
import { Cluster } from './cluster.js';
import { DEFAULT_OVERLAY } from './manifest.js';
import { ClusterNames, DEFAULT_ROOT, podPaths } from './options.js';
import { isAlive } from './processes.js';
import { secretsPaths } from './secrets.js';
import { readState, type ClusterState } from './state.js';
import { downCluster } from './teardown.js';

/**
 * A cluster for humans, outliving this command; each pod runs the agent's init
 * container, then the server, then the agent's sidecar:
 *   npx tsx test/cluster/cli.ts up [count]   (default 3)
 *   npx tsx test/cluster/cli.ts status
 *   npx tsx test/cluster/cli.ts down
 * Options: --name <name> (default dev), --root <dir> (default /tmp/mysql-sts-agent-cluster),
 * --overlay <dir> (default k8s/overlays/mariadb-10.11; k8s/overlays/mysql-9.7 for MySQL).
 * Nobody restarts a server that exits once this command has returned: the
 * harness's restart policy lives in the process that made the cluster.
 */

const USAGE = 'usage: cli.ts up [count] | status | down   [--name dev] [--root dir] [--overlay k8s/overlays/<server>]';

interface Pod {
  n: number;
  name: string;
  address: string;
  netns: string;
  pausePid: number | undefined;
  socket: string;
}

function podsOf(state: ClusterState): Pod[] {
  const names = new ClusterNames(state.id, state.options);
  return state.pods.map((n) => {
    const name = names.podName(n);
    const pause = state.processes.find((p) => p.pod === n && p.label === 'pause');
    return {
      n,
      name,
      address: names.podAddress(n),
      netns: names.podNamespace(n),
      pausePid: pause !== undefined && isAlive(pause) ? pause.pid : undefined,
      socket: podPaths(state.dir, name).socket,
    };
  });
}

function printPods(state: ClusterState): void {
  const clientCnf = secretsPaths(state.dir).clientOptionFile;
  console.log(`cluster ${state.name} (id ${state.id}) in ${state.dir}`);
  for (const pod of podsOf(state)) {
    const enter = pod.pausePid === undefined ? '(pod not running)' : `nsenter --target ${pod.pausePid} --net --uts --mount --`;
    console.log(`\n${pod.name}  ${pod.address}  netns ${pod.netns}`);
    console.log(`  shell in the pod:   ${enter} bash`);
    console.log(`  network only:       ip netns exec ${pod.netns} bash`);
    console.log(`  SQL from the host:  mariadb --defaults-extra-file=${clientCnf} -S ${pod.socket}`);
    if (pod.pausePid !== undefined) {
      const enterPod = `nsenter --target ${pod.pausePid} --net --uts --mount --`;
      console.log(`  the agent's view:   ${enterPod} node ${AGENT_MAIN} peers   (or: status)`);
    }
  }
  console.log(`\nroot password: ${join(secretsPaths(state.dir).dir, 'root-password')}`);
}

function printStatus(state: ClusterState): void {
  const owner = state.owner === null ? 'detached' : `owned by pid ${state.owner.pid}${isAlive(state.owner) ? '' : ' (gone: stale)'}`;
  console.log(`cluster ${state.name} (id ${state.id}), ${owner}, created ${state.createdAt}`);
  console.log(`namespaces: ${state.namespaces.join(' ') || '(none)'}`);
  for (const rec of state.processes) {
    const where = rec.pod === null ? 'cluster' : `${state.options.statefulSet}-${rec.pod}`;
    console.log(`  ${where.padEnd(10)} ${rec.label.padEnd(14)} pid ${String(rec.pid).padEnd(8)} ${isAlive(rec) ? 'running' : 'dead'}`);
  }
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      name: { type: 'string', default: 'dev' },
      root: { type: 'string', default: DEFAULT_ROOT },
      overlay: { type: 'string', default: DEFAULT_OVERLAY },
    },
  });
  const [command, countText] = positionals;
  const dir = join(values.root, values.name);
  if (command === 'up') {
    const count = Number(countText ?? '3');
    if (!Number.isInteger(count) || count < 1) throw new Error(USAGE);
    const cluster = await Cluster.create({ name: values.name, root: values.root, overlay: values.overlay, detached: true });
    try {
      for (let n = 0; n < count; n++) await startAgentPod(cluster, n);
    } catch (err) {
      await cluster.down();
      throw err;
    }
  } else if (command === 'down') {
    const state = await downCluster(dir, { keep: false });
    console.log(state === undefined ? `no cluster at ${dir}` : `cluster ${state.name} (id ${state.id}) is down`);
    return;
  } else if (command !== 'status') {
    throw new Error(USAGE);
  }
  const state = readState(dir);
  if (state === undefined) {
    console.log(`no cluster at ${dir}`);
    return;
  }
  if (command === 'status') printStatus(state);
  printPods(state);
}

main().then(
  // The cluster's processes are detached: leave them running.
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
