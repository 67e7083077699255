import { startAgentPod } from '../cluster/agent.js';
import { Cluster, type Pod } from '../cluster/index.js';

/** The MySQL 9.7 set the mysql-* sections run on (MariaDB 10.11 is the harness's default). */
export const MYSQL_OVERLAY = 'k8s/overlays/mysql-9.7';

/**
 * A local set from `overlay` with mysql-0 started the StatefulSet's way
 * (init, server, sidecar, Ready), handed to `use`, then torn down, also on
 * Ctrl-C: namespaces and servers must not be left behind.
 */
export async function withCluster<T>(
  input: { overlay: string | undefined; say: (line: string) => void },
  use: (cluster: Cluster, primary: Pod, version: string) => Promise<T>,
): Promise<T> {
  const cluster = await Cluster.create(input.overlay === undefined ? {} : { overlay: input.overlay });
  const onSignal = (signal: NodeJS.Signals) => {
    input.say(`${signal}: tearing the cluster down`);
    void cluster.down().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal).once('SIGTERM', onSignal);
  try {
    const primary = await startAgentPod(cluster, 0);
    const [row] = await primary.query<{ version: string }>('SELECT VERSION() AS version');
    const version = String(row?.version);
    input.say(`${cluster.image.reference} set: mysql-0 Ready, VERSION() ${version}`);
    return await use(cluster, primary, version);
  } finally {
    await cluster.down();
    process.off('SIGINT', onSignal).off('SIGTERM', onSignal);
  }
}
