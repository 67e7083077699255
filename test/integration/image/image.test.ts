import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest';
import { waitFor } from '../../cluster/wait.js';
import { freePort } from '../../support/free-port.js';
import { buildImages, imageName, podman, podmanUnusable, PODMAN_ULIMITS, RESTRICTED } from '../../support/podman.js';

/**
 * The images as users run them: built from docker/ with podman (a stand-in
 * base where no registry answers, test/image-bases.sh), then run with the
 * StatefulSet's securityContext. Where podman cannot run at all, every test
 * is skipped with the reason, which the summary prints.
 */
const FLAVOURS = [
  { flavour: 'mariadb', tools: ['mariadb-backup', 'mbstream'] },
  { flavour: 'plain', tools: [] },
] as const;

let unusable: string | undefined;
const dir = mkdtempSync(join(tmpdir(), 'mysql-sts-agent-image-'));
const containers: string[] = [];

beforeAll(async () => {
  unusable = await podmanUnusable();
  if (unusable === undefined) await buildImages(FLAVOURS.map((f) => f.flavour));
}, 1_800_000);

afterAll(async () => {
  for (const name of containers.splice(0)) await podman(['rm', '--force', '--time', '0', name]);
  rmSync(dir, { recursive: true, force: true });
});

function requirePodman(context: TestContext): void {
  if (unusable !== undefined) context.skip(unusable);
}

/** A volume the agent (uid 999) owns, as the kubelet's fsGroup makes it. */
function volume(): string {
  const path = mkdtempSync(join(dir, 'vol-'));
  chownSync(path, 999, 999);
  return path;
}

/**
 * `podman run` with the pod's restrictions, the host's network (so the test
 * reaches :HTTP_PORT), and the agent's env; each env value that is one of this
 * test's volumes is mounted at the same path, as the pod's volumeMounts do.
 */
function runArgs(image: string, env: Record<string, string>, extra: readonly string[] = []): string[] {
  const envArgs = Object.entries(env).flatMap(([key, value]) => ['--env', `${key}=${value}`]);
  const mounts = Object.values(env).filter((value) => value.startsWith(`${dir}/`)).flatMap((path) => ['--volume', `${path}:${path}`]);
  return ['run', ...PODMAN_ULIMITS, ...RESTRICTED, '--network', 'host', ...envArgs, ...mounts, ...extra, image];
}

/** Starts a detached container, removed by afterAll; returns its name. */
async function startContainer(image: string, env: Record<string, string>, command: readonly string[]): Promise<string> {
  const name = `msa-image-test-${process.pid}-${containers.length}`;
  containers.push(name);
  const started = await podman([...runArgs(image, env, ['--detach', '--name', name]), ...command]);
  expect(started.stderr).toBe('');
  expect(started.exitCode).toBe(0);
  return name;
}

/** `podman stop -t 8`: SIGTERM, then SIGKILL after 8 s (exit 137). Returns the container's exit code. */
async function stopContainer(name: string): Promise<number> {
  const stopped = await podman(['stop', '--time', '8', name]);
  expect(stopped.exitCode).toBe(0);
  const state = await podman(['inspect', '--format', '{{.State.ExitCode}}', name]);
  return Number(state.stdout.trim());
}

describe.each(FLAVOURS)('the $flavour image', ({ flavour, tools }) => {
  const image = imageName(flavour);

  it('runs as 999:999 with a read-only root, no capabilities and no privilege gain, and ships only what runs', async (context) => {
    requirePodman(context);
    const probe = `
      const fs = require('node:fs');
      const status = fs.readFileSync('/proc/self/status', 'utf8');
      let writable = true;
      try { fs.writeFileSync('/app/x', ''); } catch { writable = false; }
      const present = ['/usr/local/bin/npm', '/usr/local/bin/npx', '/usr/local/bin/corepack', '/usr/local/bin/yarn', '/usr/local/lib/node_modules', '/usr/local/include', '/bin/sh', '/usr/bin/apt-get', '/app/node_modules/@types', '/app/node_modules/undici-types', '/usr/bin/mariadb-backup', '/usr/bin/mbstream'].filter((p) => fs.existsSync(p));
      const maps = fs.readdirSync('/app', { recursive: true }).filter((p) => String(p).endsWith('.map'));
      console.log(JSON.stringify({ uid: process.getuid(), gid: process.getgid(), capEff: /CapEff:\\s*(\\w+)/.exec(status)[1], noNewPrivs: /NoNewPrivs:\\s*(\\d)/.exec(status)[1], writable, present, maps }));`;
    const result = await podman([...runArgs(image, {}, ['--rm', '--entrypoint', 'node']), '-e', probe]);
    expect(result.stderr).toBe('');
    expect(JSON.parse(result.stdout)).toEqual({
      uid: 999,
      gid: 999,
      capEff: '0000000000000000',
      noNewPrivs: '1',
      writable: false,
      present: tools.map((tool) => `/usr/bin/${tool}`),
      maps: [],
    });
    const version = await podman([...runArgs(image, {}, ['--rm']), '--version']);
    expect(version.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
  });

  it('init exits 3 with one line on a pod name without an ordinal', async (context) => {
    requirePodman(context);
    const result = await podman([...runArgs(image, { POD_NAME: 'mysql', CONF_DIR: volume(), DATA_DIR: volume(), STATE_DIR: volume() }, ['--rm']), 'init']);
    expect(result.exitCode).toBe(3);
    expect(result.stdout).toBe('');
    expect(result.stderr.trim().split('\n')).toEqual([
      'mysql-sts-agent init: invalid configuration: POD_NAME: pod name "mysql" has no ordinal: expected <statefulset>-<ordinal> such as mysql-0',
    ]);
  });

  it('init, as PID 1 waiting for peers, stops on SIGTERM before podman kills it', async (context) => {
    requirePodman(context);
    const name = await startContainer(
      image,
      {
        POD_NAME: 'mysql-1',
        CONF_DIR: volume(),
        DATA_DIR: volume(),
        STATE_DIR: volume(),
        MYSQL_FLAVOR: flavour === 'plain' ? 'mysql' : 'mariadb',
        CLONE_SECRET: 'clone-secret',
        DNS_SERVERS: '127.0.0.1:9',
        DNS_ATTEMPTS: '1',
      },
      ['init'],
    );
    await waitFor(async () => ((await podman(['logs', name])).stdout.includes('not ready to initialise the data dir yet') ? true : undefined), {
      what: 'init to wait for its peers',
      timeoutMs: 30_000,
    });
    // 8 is init's exit code for a stop; 137 would be podman's SIGKILL after -t 8.
    expect(await stopContainer(name)).toBe(8);
  });

  it('serve answers /healthz and, as PID 1, exits 0 on SIGTERM', async (context) => {
    requirePodman(context);
    const port = await freePort();
    const name = await startContainer(
      image,
      {
        POD_NAME: 'mysql-1',
        HTTP_HOST: '127.0.0.1',
        HTTP_PORT: String(port),
        CLONE_PORT: String(await freePort()),
        MYSQL_PORT: String(await freePort()),
        MYSQL_FLAVOR: flavour === 'plain' ? 'mysql' : 'mariadb',
        MYSQL_ROOT_PASSWORD: 'root-pw',
        REPLICATION_PASSWORD: 'repl-pw',
        AGENT_PASSWORD: 'agent-pw',
        CLONE_SECRET: 'clone-secret',
        DATA_DIR: volume(),
        STATE_DIR: volume(),
      },
      ['serve'],
    );
    const health = await waitFor(async () => fetch(`http://127.0.0.1:${port}/healthz`), { what: 'serve in the container to answer /healthz', timeoutMs: 30_000 });
    // Nothing listens on MYSQL_PORT: the sidecar answers, and says its server is down.
    expect(health.status).toBe(503);
    expect(JSON.stringify(await health.json())).toMatch(/the server does not answer: .*ECONNREFUSED/);
    expect(await stopContainer(name)).toBe(0);
  });
});

describe('the mariadb image', () => {
  it('runs its backup tools, of the MariaDB major the image is for', async (context) => {
    requirePodman(context);
    const image = imageName('mariadb');
    const backup = await podman([...runArgs(image, {}, ['--rm', '--entrypoint', 'mariadb-backup']), '--version']);
    expect(backup.exitCode).toBe(0);
    expect(backup.stderr + backup.stdout).toMatch(/based on MariaDB server 10\.11\.\d+-MariaDB/);
    const stream = await podman([...runArgs(image, {}, ['--rm', '--entrypoint', 'mbstream']), '--help']);
    expect(stream.stdout).toMatch(/^mbstream +Ver /m);
  });
});
