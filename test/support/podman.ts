import { execa } from 'execa';
import { appendFileSync, existsSync, readFileSync } from 'node:fs';

/**
 * podman as this project's machines run it: the options test/podman.sh gives
 * the image scripts (runc, events to a file, cgroupfs, ulimits within the
 * machine's hard limits).
 */
export const PODMAN_GLOBAL = ['--runtime', 'runc', '--events-backend=file', '--cgroup-manager=cgroupfs'];
export const PODMAN_ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=1024:1024'];

/** What the StatefulSet's securityContext gives each container: uid 999 (the image's USER), read-only root, no capabilities, no privilege gain. */
export const RESTRICTED = ['--read-only', '--cap-drop', 'ALL', '--security-opt', 'no-new-privileges', '--tmpfs', '/tmp:rw,size=16m,mode=1777'];

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

export function podman(args: readonly string[], options: { timeoutMs?: number } = {}) {
  return execa('podman', [...PODMAN_GLOBAL, ...args], { reject: false, timeout: options.timeoutMs ?? 60_000, cwd: PROJECT_ROOT });
}

/** Why podman cannot run containers here (missing, or not root), or undefined when it can. */
export async function podmanUnusable(): Promise<string | undefined> {
  if (process.getuid?.() !== 0) return 'podman needs root here (the tests run it rootful)';
  const info = await execa('podman', [...PODMAN_GLOBAL, 'info', '--format', '{{.Host.OCIRuntime.Name}}'], { reject: false });
  if (!info.failed) return undefined;
  const why = [info.stderr, info.shortMessage].find((text) => typeof text === 'string' && text !== '') ?? 'no output';
  return `podman cannot run on this machine: ${why.split('\n')[0] ?? why}`;
}

/**
 * Where one test run records the images it built (set by test/vitest.config.ts,
 * inherited by every test file's worker): the sources do not change within a
 * run, so a second file's build would be a 15–25 s cache hit for nothing.
 */
export const BUILT_IMAGES_VARIABLE = 'MSA_BUILT_IMAGES';

/** The ID of the image a reference names now, or undefined when there is none. */
export async function imageIdOf(reference: string): Promise<string | undefined> {
  const inspected = await podman(['image', 'inspect', '--format', '{{.Id}}', reference]);
  return inspected.exitCode === 0 ? inspected.stdout.trim() : undefined;
}

function builtThisRun(): Map<string, string> {
  const file = process.env[BUILT_IMAGES_VARIABLE];
  const built = new Map<string, string>();
  if (file === undefined || !existsSync(file)) return built;
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const [flavour, id] = line.split(' ');
    if (flavour && id) built.set(flavour, id);
  }
  return built;
}

/**
 * Builds the images (test/image-build.sh: the stand-in base once, then cached
 * layers), failing with the build's own output. A flavour this run already
 * built is built again only if its tag now names another image (another build
 * on the machine re-tagged it).
 */
export async function buildImages(flavours: readonly string[]): Promise<void> {
  const built = builtThisRun();
  const stale: string[] = [];
  for (const flavour of flavours) if (built.get(flavour) === undefined || built.get(flavour) !== (await imageIdOf(imageName(flavour)))) stale.push(flavour);
  if (stale.length === 0) return;
  const build = await execa('bash', ['test/image-build.sh', ...stale], { reject: false, cwd: PROJECT_ROOT, all: true, timeout: 1_800_000 });
  if (build.exitCode !== 0) throw new Error(`test/image-build.sh ${stale.join(' ')} failed (exit ${build.exitCode}):\n${build.all.slice(-4000)}`);
  const file = process.env[BUILT_IMAGES_VARIABLE];
  if (file === undefined) return;
  for (const flavour of stale) {
    const id = await imageIdOf(imageName(flavour));
    if (id !== undefined) appendFileSync(file, `${flavour} ${id}\n`);
  }
}

export const imageName = (flavour: string) => `localhost/mysql-sts-agent:${flavour}`;
