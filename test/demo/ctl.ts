import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_ROOT } from '../cluster/options.js';
import { isAlive } from '../cluster/processes.js';
import { readState, type ClusterState } from '../cluster/state.js';
import { AGENT_MAIN } from '../support/agent.js';
import { runningDemo } from './leftovers.js';
import { ordinalOf, writeRequest } from './requests.js';

/**
 * Reaches into the running demo from another terminal (as root):
 *   npx tsx test/demo/ctl.ts exec <pod> -- <command...>   run a command inside the pod
 *   npx tsx test/demo/ctl.ts delete <pod> [--wipe]        delete the pod (and empty its volume); the demo brings it back
 * Option: --name <name> (default demo), the demo's --name.
 * In a pod, `mysql-sts-agent` is the built agent (dist/main.js), as in the image.
 */

const USAGE = 'usage: ctl.ts [--name demo] exec <pod> -- <command...> | delete <pod> [--wipe]';

function fail(message: string): never {
  console.error(message);
  process.exit(2);
}

function podOrdinal(state: ClusterState, podName: string | undefined): number {
  const n = podName === undefined ? undefined : ordinalOf(podName, state.options.statefulSet);
  if (n === undefined || !state.pods.includes(n)) {
    const names = state.pods.map((p) => `${state.options.statefulSet}-${p}`).join(', ');
    fail(`no pod ${JSON.stringify(podName ?? '')} in cluster ${state.name}; it has: ${names || 'none right now'}`);
  }
  return n;
}

/** nsenter into the pod's pause process: its network, hostname and mounts, as `kubectl exec` would. */
function execInPod(state: ClusterState, n: number, command: string[]): number {
  const pause = state.processes.find((rec) => rec.pod === n && rec.label === 'pause' && isAlive(rec));
  if (pause === undefined) fail(`pod ${state.options.statefulSet}-${n} is not running (being re-created?); try again`);
  const [cmd, ...args] = command;
  if (cmd === undefined) fail(USAGE);
  const argv = cmd === 'mysql-sts-agent' ? [process.execPath, AGENT_MAIN, ...args] : [cmd, ...args];
  const result = spawnSync('nsenter', ['--target', String(pause.pid), '--net', '--uts', '--mount', '--wd=/', '--', ...argv], {
    stdio: 'inherit',
    env: { ...process.env, PATH: `${dirname(process.execPath)}:${process.env.PATH ?? '/usr/bin:/bin'}` },
  });
  return result.status ?? 1;
}

function main(): number {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { name: { type: 'string', default: 'demo' }, wipe: { type: 'boolean', default: false } },
  });
  const [command, podName, ...rest] = positionals;
  const dir = join(DEFAULT_ROOT, values.name);
  const state = readState(dir);
  if (state === undefined) fail(`no demo cluster at ${dir}: is \`npm run demo\` running?`);
  if (runningDemo(dir) === undefined) fail(`the cluster at ${dir} has no running demo`);
  const n = podOrdinal(state, podName);
  if (command === 'exec') return execInPod(state, n, rest);
  if (command === 'delete' && rest.length === 0) {
    writeRequest(state.dir, { kind: 'delete', pod: n, wipe: values.wipe });
    console.log(`asked the demo to delete ${podName}${values.wipe ? ' and empty its volume' : ''}; watch its table`);
    return 0;
  }
  return fail(USAGE);
}

process.exit(main());
