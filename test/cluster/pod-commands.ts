import { dirname } from 'node:path';
import { BASE_PATH } from './options.js';

/**
 * How a command gets into a pod's container: nsenter into the pause process's
 * namespaces, then, for a container whose image is a root filesystem (the
 * MySQL server's), chroot into it. Every step execs, so the PID the harness
 * records is the command's own.
 */

export interface SpawnOptions {
  /** Merged over the pod's base environment (PATH, HOME, HOSTNAME); see `agentEnv()` for the downward API. */
  env?: Record<string, string>;
  /** Names the log file `<podDir>/logs/<label>.log`; defaults to the command's basename. */
  label?: string;
  /** Working directory inside the pod; defaults to `/`. */
  cwd?: string;
  /**
   * The manifest's container the command runs in, like `kubectl exec -c`:
   * the server container's commands (mysqladmin, mysqldump…) run in its image's
   * root filesystem when it has one. Others, and the default, use the host's
   * files (the agent's containers, and tools the tests bring).
   */
  container?: string;
}

export interface ExecOptions extends Omit<SpawnOptions, 'label'> {
  /** Throw on a non-zero exit (default true, like execa). */
  reject?: boolean;
  input?: string;
  timeoutMs?: number;
}

export interface ExecResult {
  /** -1 when killed by a signal or the command could not start. */
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface PodCommand {
  readonly pausePid: number;
  readonly cmd: string;
  readonly args: readonly string[];
  /** Working directory inside the container; defaults to `/`. */
  readonly cwd?: string | undefined;
  /** The container image's root filesystem, or undefined for the host's files. */
  readonly rootfs?: string | undefined;
  /** The container's user (runAsUser/runAsGroup), or undefined for root. */
  readonly user?: { readonly uid: number; readonly gid: number } | undefined;
}

/** The command line that runs `cmd` in the pod (as `kubectl exec` would in the container). */
export function podCommandLine(command: PodCommand): { file: string; args: string[] } {
  const { user } = command;
  const enter = ['--target', String(command.pausePid), '--net', '--uts', '--mount'];
  if (command.rootfs === undefined) {
    const setUser = user === undefined ? [] : [`--setuid=${user.uid}`, `--setgid=${user.gid}`];
    return { file: 'nsenter', args: [...enter, ...setUser, `--wd=${command.cwd ?? '/'}`, '--', command.cmd, ...command.args] };
  }
  // chroot needs root (CAP_SYS_CHROOT): it changes the user itself, after entering the image. The
  // numbers go as they are (the image has no passwd entry for them); --groups keeps the host's
  // groups of that uid out, as nsenter --setgid does.
  const setUser = user === undefined ? [] : [`--userspec=${user.uid}:${user.gid}`, `--groups=${user.gid}`];
  // chroot starts in the new root's `/`; env --chdir (the image's coreutils) moves to cwd.
  const chdir = command.cwd === undefined || command.cwd === '/' ? [] : ['env', `--chdir=${command.cwd}`, '--'];
  return { file: 'nsenter', args: [...enter, '--wd=/', '--', 'chroot', ...setUser, command.rootfs, ...chdir, command.cmd, ...command.args] };
}

/** The pod's base environment for a container: the image's PATH in a root filesystem, else the host's tools and the agent's. */
export function podBaseEnvironment(spec: { podName: string; binDir: string; rootfs: string | undefined }): Record<string, string> {
  // node may live outside the standard PATH (nvm); tools in the pod find the same one.
  const path = spec.rootfs === undefined ? `${spec.binDir}:${dirname(process.execPath)}:${BASE_PATH}` : BASE_PATH;
  return { PATH: path, HOME: '/root', HOSTNAME: spec.podName };
}
