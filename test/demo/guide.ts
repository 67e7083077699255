/**
 * "How to look around": commands that work from another terminal while the
 * demo runs. Pure, from the names and paths of the running set, so a unit test
 * can check every pod-specific part comes from the set itself.
 */

export interface GuidePod {
  name: string;
  /** The pod's network namespace (`ip netns exec` reaches its address; the host has no route to it). */
  netns: string;
  address: string;
  /** The server's pid file, seen from the host. */
  pidFile: string;
  /** The server's socket, seen from the host. */
  socket: string;
}

export interface GuideInput {
  projectDir: string;
  /** The demo's `--name`; the ctl helper needs it when it is not the default. */
  clusterName: string;
  clientOptionFile: string;
  httpPort: number;
  /** The server's process name (`mariadbd`, `mysqld`). */
  daemon: string;
  pods: readonly GuidePod[];
}

function ctl(input: GuideInput): string {
  const name = input.clusterName === 'demo' ? '' : ` --name ${input.clusterName}`;
  return `npx tsx test/demo/ctl.ts${name}`;
}

/** The guide's lines; pods[1] (or pods[0] in a one-pod set) is the example replica. */
export function renderGuide(input: GuideInput): string[] {
  const primary = input.pods[0];
  const example = input.pods[1] ?? primary;
  const last = input.pods.at(-1) ?? primary;
  if (primary === undefined || example === undefined || last === undefined) return [];
  const url = (pod: GuidePod, path: string) => `http://${pod.address}:${input.httpPort}${path}`;
  const curl = (pod: GuidePod, path: string) => `ip netns exec ${pod.netns} curl -s ${url(pod, path)}`;
  return [
    `Look around from another terminal (as root, in ${input.projectDir}):`,
    `  the agent's view of a pod:   ${ctl(input)} exec ${example.name} -- mysql-sts-agent status`,
    `  peers from DNS SRV:          ${ctl(input)} exec ${example.name} -- mysql-sts-agent peers`,
    `  metrics:                     ${curl(example, '/metrics')} | grep ^mysql_sts_replication`,
    `  readiness, status JSON:      ${curl(example, '/readyz')}   ${curl(example, '/status')}`,
    `  SQL:                         mariadb --defaults-extra-file=${input.clientOptionFile} -S ${example.socket} -e 'SELECT COUNT(*) FROM app.rows'`,
    'Break something and watch it recover:',
    `  crash ${`${input.daemon}:`.padEnd(23)}kill -9 $(cat ${example.pidFile})     (the demo restarts it, like restartPolicy: Always)`,
    `  crash the primary:           kill -9 $(cat ${primary.pidFile})     (writes fail and resume; replicas reconnect)`,
    `  delete a pod:                ${ctl(input)} delete ${last.name}          (same volume: init keeps the data)`,
    `  lose a volume:               ${ctl(input)} delete ${last.name} --wipe   (init clones it again: watch the bar)`,
    'Ctrl-C prints the summary (rows and checksums on every pod) and tears everything down.',
  ];
}
