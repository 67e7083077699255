import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agentEnvironment, runAgentIn, runInitContainer, startAgentPod } from '../cluster/agent.js';
import { Cluster } from '../cluster/cluster.js';
import type { Pod } from '../cluster/pod.js';
import { AGENT_MAIN } from '../support/agent.js';

interface PeersJson {
  source: string;
  asked: string;
  answeredBy: string;
  peers: { name: string; ordinal: number; address: string; port: number; self: boolean }[];
}

/**
 * Three pods run the agent's init, a real mariadbd and the agent's sidecar, and
 * find each other through real DNS SRV records, as in a cluster.
 */
describe('a 3-pod StatefulSet: identity config and peer discovery', () => {
  let cluster: Cluster;
  const pods: Pod[] = [];

  beforeAll(async () => {
    cluster = await Cluster.create();
    for (let n = 0; n < 3; n++) pods.push(await startAgentPod(cluster, n));
  });
  afterAll(async () => {
    await cluster?.down();
  });

  it('each mariadbd runs with the identity init wrote: server_id = 100 + ordinal, stable report_host, role', async () => {
    for (const pod of pods) {
      const [row] = await pod.query(
        'SELECT @@server_id AS serverId, @@report_host AS reportHost, @@read_only AS readOnly, @@log_bin AS logBin, ' +
          '@@log_slave_updates AS logUpdates, @@gtid_strict_mode AS strict, @@binlog_format AS format',
      );
      expect(row).toEqual({
        serverId: 100 + pod.n,
        reportHost: `mysql-${pod.n}.mysql.default.svc.cluster.local`,
        readOnly: pod.n === 0 ? 0 : 1,
        logBin: 1,
        logUpdates: 1,
        strict: 1,
        format: 'ROW',
      });
    }
  });

  it('a second init run changes nothing', async () => {
    const pod = pods[2] as Pod;
    const file = join(pod.paths.confD, 'mysql-sts-agent.cnf');
    const before = { text: readFileSync(file, 'utf8'), mtime: statSync(file).mtimeMs };
    const again = await runInitContainer(cluster, pod);
    expect(again.exitCode).toBe(0);
    expect(again.stdout).toContain('identity config already up to date');
    expect({ text: readFileSync(file, 'utf8'), mtime: statSync(file).mtimeMs }).toEqual(before);
  });

  it('`peers` in a pod lists the three pods from the SRV records of real DNS', async () => {
    const result = await runAgentIn(cluster, pods[1] as Pod, ['peers', '--json']);
    expect(result.exitCode).toBe(0);
    const found = JSON.parse(result.stdout) as PeersJson;
    expect(found).toMatchObject({
      source: 'srv',
      asked: '_mysql._tcp.mysql.default.svc.cluster.local',
      answeredBy: '198.18.0.2:53',
    });
    expect(found.peers.map((p) => [p.name, p.ordinal, p.address, p.port, p.self])).toEqual([
      ['mysql-0', 0, '198.18.0.10', 3306, false],
      ['mysql-1', 1, '198.18.0.11', 3306, true],
      ['mysql-2', 2, '198.18.0.12', 3306, false],
    ]);
  });

  it('finds the same peers from the hostname and the kubelet search list alone (no POD_NAME, no POD_NAMESPACE)', async () => {
    const pod = pods[2] as Pod;
    const { POD_NAME: _name, POD_NAMESPACE: _namespace, ...env } = agentEnvironment(cluster, pod);
    const result = await pod.exec('node', [AGENT_MAIN, 'peers'], { env, reject: false });
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toMatch(/^mysql-2 \(self\)\s+2\s+198\.18\.0\.12\s+3306$/m);
    expect(result.stdout.match(/^mysql-\d/gm)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
  });

  it('a DNS outage fails discovery with exit 4 and a line naming the question and the server; it recovers with DNS', async () => {
    const pod = pods[1] as Pod;
    const quick = { DNS_TIMEOUT_MS: '300', DNS_ATTEMPTS: '2' };
    await cluster.stopDns();
    try {
      const down = await runAgentIn(cluster, pod, ['peers'], quick);
      expect(down.exitCode).toBe(4);
      expect(down.stderr.trim().split('\n')).toHaveLength(1);
      expect(down.stderr).toMatch(
        /^mysql-sts-agent peers: failed to discover peers: failed to resolve SRV _mysql\._tcp\.mysql\.default\.svc\.cluster\.local: 198\.18\.0\.2:53 (refused the connection|timed out)/,
      );
    } finally {
      await cluster.startDns();
    }
    const back = await runAgentIn(cluster, pod, ['peers', '--json'], quick);
    expect(back.exitCode).toBe(0);
    expect((JSON.parse(back.stdout) as PeersJson).peers).toHaveLength(3);
  });

  it('a recreated pod (new emptyDir for conf.d, same volume) gets its identity again and keeps its rows', async () => {
    const primary = pods[0] as Pod;
    await primary.query('CREATE DATABASE IF NOT EXISTS app');
    await primary.query('CREATE TABLE app.t (id INT PRIMARY KEY)');
    await primary.query('INSERT INTO app.t VALUES (1),(2),(3)');
    await cluster.recreatePod(0);
    const again = await startAgentPod(cluster, 0);
    const [row] = await again.query('SELECT @@server_id AS serverId, COUNT(*) AS n FROM app.t');
    expect(row).toEqual({ serverId: 100, n: 3 });
  });
});
