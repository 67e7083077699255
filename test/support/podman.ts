import { execa } from 'execa';

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

/** Builds the images (test/image-build.sh: the stand-in base once, then cached layers), failing with the build's own output. */
export async function buildImages(flavours: readonly string[]): Promise<void> {
  const build = await execa('bash', ['test/image-build.sh', ...flavours], { reject: false, cwd: PROJECT_ROOT, all: true, timeout: 1_800_000 });
  if (build.exitCode !== 0) throw new Error(`test/image-build.sh ${flavours.join(' ')} failed (exit ${build.exitCode}):\n${build.all.slice(-4000)}`);
}

export const imageName = (flavour: string) => `localhost/mysql-sts-agent:${flavour}`;
