import { mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderGuide, type GuidePod } from '../../demo/guide.js';
import { initOutcome } from '../../demo/kubelet.js';
import { isOutsideBackup } from '../../../src/data-dir/backup-size.js';
import { isServingClone } from '../../demo/observe.js';
import { ordinalOf, requestsDir, takeRequests, writeRequest } from '../../demo/requests.js';
import { renderSummary, type Summary } from '../../demo/summary.js';

const pods: GuidePod[] = [0, 1, 2].map((n) => ({
  name: `mysql-${n}`,
  netns: `msa12345-mysql-${n}`,
  address: `198.18.0.${10 + n}`,
  pidFile: `/c/pods/mysql-${n}/run/mysqld.pid`,
  socket: `/c/pods/mysql-${n}/run/mysqld.sock`,
}));

describe('the guide', () => {
  const guide = renderGuide({ projectDir: '/p', clusterName: 'demo', clientOptionFile: '/c/client.cnf', httpPort: 8080, daemon: 'mariadbd', pods });

  it('names the replica by its own namespace and address, the primary and last pod by theirs', () => {
    expect(guide).toContain('  metrics:                     ip netns exec msa12345-mysql-1 curl -s http://198.18.0.11:8080/metrics | grep ^mysql_sts_replication');
    expect(guide.find((line) => line.includes('crash the primary'))).toContain('kill -9 $(cat /c/pods/mysql-0/run/mysqld.pid)');
    expect(guide.find((line) => line.includes('lose a volume'))).toContain('npx tsx test/demo/ctl.ts delete mysql-2 --wipe');
    expect(guide.find((line) => line.includes("agent's view"))).toContain('npx tsx test/demo/ctl.ts exec mysql-1 -- mysql-sts-agent status');
  });

  it("names the set's server process in the crash line, aligned with the others", () => {
    expect(guide).toContain('  crash mariadbd:              kill -9 $(cat /c/pods/mysql-1/run/mysqld.pid)     (the demo restarts it, like restartPolicy: Always)');
    const mysql = renderGuide({ projectDir: '/p', clusterName: 'demo', clientOptionFile: '/c/client.cnf', httpPort: 8080, daemon: 'mysqld', pods });
    expect(mysql).toContain('  crash mysqld:                kill -9 $(cat /c/pods/mysql-1/run/mysqld.pid)     (the demo restarts it, like restartPolicy: Always)');
  });

  it('passes a non-default cluster name to the helper', () => {
    const named = renderGuide({ projectDir: '/p', clusterName: 'ci', clientOptionFile: '/c/client.cnf', httpPort: 8080, daemon: 'mariadbd', pods });
    expect(named.filter((line) => line.includes('ctl.ts')).every((line) => line.includes('ctl.ts --name ci '))).toBe(true);
  });
});

describe('the summary line', () => {
  const summary: Summary = {
    acknowledged: 10,
    pods: [
      { name: 'mysql-0', rows: 10, missing: 0, checksum: '42' },
      { name: 'mysql-1', rows: 9, missing: 1, checksum: '41' },
      { name: 'mysql-2', rows: null, missing: null, checksum: null },
    ],
  };

  it('lists rows, missing rows and checksums per pod and a verdict', () => {
    expect(renderSummary(summary)).toBe(
      'summary: acknowledged=10 | mysql-0 rows=10 missing=0 checksum=42 | mysql-1 rows=9 missing=1 checksum=41 | ' +
        'mysql-2 rows=? missing=? checksum=? | nothing lost: no, checksums equal: no',
    );
    const good = { acknowledged: 10, pods: [summary.pods[0], { ...summary.pods[0], name: 'mysql-1' }] } as Summary;
    expect(renderSummary(good)).toMatch(/\| nothing lost: yes, checksums equal: yes$/);
  });
});

describe('requests from ctl.ts', () => {
  it('are taken once, oldest first; junk is dropped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'demo-requests-'));
    writeRequest(dir, { kind: 'delete', pod: 2, wipe: true });
    writeFileSync(join(requestsDir(dir), '0-junk.json'), '{not json');
    expect(takeRequests(dir)).toEqual([{ kind: 'delete', pod: 2, wipe: true }]);
    expect(readdirSync(requestsDir(dir))).toEqual([]);
    expect(takeRequests(join(dir, 'missing'))).toEqual([]);
  });

  it('name pods of this set only', () => {
    expect(ordinalOf('mysql-2', 'mysql')).toBe(2);
    expect(ordinalOf('web-2', 'mysql')).toBeUndefined();
    expect(ordinalOf('mysql-', 'mysql')).toBeUndefined();
  });
});

describe('reading the agent', () => {
  it("init's outcome comes from its last `init done` log line", () => {
    const log = ['{"level":30,"msg":"decided how to initialise the data dir"}', '{"level":30,"outcome":"cloned","msg":"init done"}', ''].join('\n');
    expect(initOutcome(log)).toBe('cloned');
    expect(initOutcome('not json')).toBe('unknown outcome');
  });

  it('a donor is the pod whose sidecar says it serves a clone', () => {
    expect(isServingClone('# TYPE mysql_sts_clone_serving gauge\nmysql_sts_clone_serving 1\n')).toBe(true);
    expect(isServingClone('mysql_sts_clone_serving 0\nmysql_sts_clone_serving_x 1\n')).toBe(false);
  });

  it('the backup size estimate leaves out binlogs, relay logs, the agent dir, the redo log and the temporary tablespace', () => {
    expect(['ibdata1', 'mysql', 'app', 'undo001'].some(isOutsideBackup)).toBe(false);
    expect(['mysql-bin.000001', 'relay-bin.index', '.mysql-sts-agent', 'ib_logfile0', 'ibtmp1'].every(isOutsideBackup)).toBe(true);
  });
});
