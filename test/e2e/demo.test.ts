import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { DEFAULT_ROOT } from '../cluster/options.js';

const PROJECT_DIR = new URL('../..', import.meta.url).pathname;
const POD_STATE = /(mysql-\d) (primary|replica) (ready|not-ready|\?) lag=\S+ rows=(\d+|\?)/g;

/** Each plain status line as pod → { ready, rows }. */
function statusLines(output: string): Map<string, { ready: boolean; rows: number | undefined }>[] {
  return output
    .split('\n')
    .filter((line) => /^t=\d+s mysql-0 /.test(line))
    .map((line) => new Map([...line.matchAll(POD_STATE)].map((m) => [m[1] as string, { ready: m[3] === 'ready', rows: m[4] === '?' ? undefined : Number(m[4]) }])));
}

interface SummaryPod {
  name: string;
  rows: number;
  missing: number;
  checksum: string;
}

function parseSummary(output: string): { acknowledged: number; pods: SummaryPod[]; verdict: string } | undefined {
  const line = output.split('\n').find((candidate) => candidate.startsWith('summary: '));
  if (line === undefined) return undefined;
  const parts = line.slice('summary: '.length).split(' | ');
  const pods = parts.slice(1, -1).map((part) => {
    const m = /^(\S+) rows=(\d+) missing=(\d+) checksum=(\S+)$/.exec(part);
    return { name: m?.[1] ?? part, rows: Number(m?.[2]), missing: Number(m?.[3]), checksum: m?.[4] ?? '' };
  });
  return { acknowledged: Number(/acknowledged=(\d+)/.exec(parts[0] ?? '')?.[1]), pods, verdict: parts.at(-1) ?? '' };
}

/** Clock ticks since boot now (USER_HZ is 100 on Linux), to tell a process of the demo from a later one that got a recycled PID. */
function uptimeTicks(): number {
  return Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 100;
}

/** The PID names a process that started before `ticks` (ours), not a later one. */
function aliveSince(pid: number, ticks: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return fields[0] !== 'Z' && Number(fields[19]) <= ticks;
  } catch {
    return false;
  }
}

// MariaDB's pods, named by the flag (the default when it is left out; the unit tests cover the parsing and MySQL's overlay).
describe('npm run demo --server mariadb, not on a terminal, with --duration', () => {
  it('brings up 3 pods, writes, ends by itself with every row on every pod, and leaves nothing behind', async () => {
    const name = `demo-e2e-${randomBytes(3).toString('hex')}`;
    // 8 s once all are Ready: four plain status lines (one every 2 s) with every pod Ready and the writer's rows growing.
    const result = await execa('npx', ['tsx', 'test/demo/cli.ts', '--server', 'mariadb', '--duration', '8', '--name', name], {
      cwd: PROJECT_DIR,
      all: true,
      reject: false,
      timeout: 600_000,
    });
    const ended = uptimeTicks();
    const output = String(result.all);
    expect(result.exitCode, output).toBe(0);
    expect(output.split('\n')[0]).toMatch(/^mysql-sts-agent demo: StatefulSet "mysql", 3 MariaDB 10\.11 pods, cluster msa[0-9a-f]+ /);

    const lines = statusLines(output);
    const allReady = lines.find((pods) => pods.size === 3 && [...pods.values()].every((pod) => pod.ready));
    expect(allReady, output).toBeDefined();
    const primaryRows = lines.flatMap((pods) => pods.get('mysql-0')?.rows ?? []);
    expect(Math.max(...primaryRows)).toBeGreaterThan(Math.min(...primaryRows));

    const summary = parseSummary(output);
    expect(summary?.acknowledged).toBeGreaterThan(0);
    expect(summary?.pods.map((pod) => pod.name)).toEqual(['mysql-0', 'mysql-1', 'mysql-2']);
    for (const pod of summary?.pods ?? []) {
      expect(pod).toEqual({ name: pod.name, rows: summary?.acknowledged, missing: 0, checksum: summary?.pods[0]?.checksum });
    }
    expect(summary?.verdict).toBe('nothing lost: yes, checksums equal: yes');

    const down = /^down: cluster (msa[0-9a-f]+): processes ended: ([\d ]+);/m.exec(output);
    expect(down, output).not.toBeNull();
    const id = down?.[1] as string;
    const pids = (down?.[2] ?? '').trim().split(' ').map(Number);
    expect(pids.length).toBeGreaterThanOrEqual(3 * 3);
    expect(pids.filter((pid) => aliveSince(pid, ended))).toEqual([]);
    const { stdout } = await execa('ip', ['netns', 'list']);
    expect(stdout.split('\n').filter((line) => line.startsWith(`${id}-`))).toEqual([]);
    expect(existsSync(join(DEFAULT_ROOT, name))).toBe(false);
  }, 600_000);
});
