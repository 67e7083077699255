import { rmSync } from 'node:fs';
import { lstat, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A 0700 temp dir for files that hold secrets (option files for child tools),
 * removed by `dispose` whatever happens. Passwords reach child processes this
 * way, never through argv, where `ps` shows them to every user.
 *
 * No such dir outlives the process that made it (ARCHITECTURE.md, "Security"):
 * `dispose` on every path, a synchronous removal when the process exits (an
 * uncaught exception included), and, for what a SIGKILL leaves, a sweep at the
 * sidecar's start. The dir's name says who made it, `<prefix>-<pid>-<start>-XXXXXX`
 * (the start time tells a live creator from a later process with its pid), so
 * the sweep never removes a dir a live process still uses.
 */
export interface PrivateDir {
  readonly path: string;
  writeSecretFile(name: string, content: string): Promise<string>;
  dispose(): Promise<void>;
}

/** Every private dir's name starts with this: the sweep looks at nothing else. */
export const PRIVATE_DIR_PREFIX = 'msa-';
const CURRENT_NAME = /^msa-[a-z]+-(\d+)-(\d+)-[A-Za-z0-9]{6}$/;
/**
 * Named before the creator was in the name: whose they are is told by who still uses them. Only the one
 * purpose the agent ever had (`msa-backup-XXXXXX`): other programs' dirs that happen to start with `msa-`
 * (a test's `msa-cli-XXXXXX`) are not ours to judge.
 */
const LEGACY_NAME = /^msa-backup-[A-Za-z0-9]{6}$/;

const live = new Set<string>();
let exitHook = false;

export async function createPrivateDir(prefix: string): Promise<PrivateDir> {
  if (!exitHook) {
    exitHook = true;
    // 'exit' runs on a normal end, process.exit and an uncaught exception; only SIGKILL skips it (the sweep's case).
    process.on('exit', () => {
      for (const path of live) rmSync(path, { recursive: true, force: true });
    });
  }
  const start = await processStart(process.pid);
  const path = await mkdtemp(join(tmpdir(), `${prefix}-${process.pid}-${start ?? 0}-`));
  live.add(path);
  return {
    path,
    async writeSecretFile(name, content) {
      const file = join(path, name);
      await writeFile(file, content, { mode: 0o600, flag: 'wx' });
      return file;
    },
    async dispose() {
      await rm(path, { recursive: true, force: true });
      live.delete(path);
    },
  };
}

/**
 * Removes the private dirs of processes that are gone (a sidecar SIGKILLed
 * mid-backup; /tmp is an emptyDir that outlives the container): only names of
 * ours, only real dirs (not symlinks), only those owned by this uid, and never
 * one whose creator still runs or that a running process names in its
 * command line (the backup tool gets the dir in its argv). Returns what it removed.
 */
export async function removeStalePrivateDirs(dir: string = tmpdir()): Promise<string[]> {
  const names = (await readdir(dir)).filter((name) => name.startsWith(PRIVATE_DIR_PREFIX));
  const removed: string[] = [];
  let inUse: ReadonlySet<string> | undefined;
  for (const name of names) {
    const path = join(dir, name);
    const stats = await lstat(path).catch(() => undefined);
    if (stats === undefined || !stats.isDirectory() || stats.uid !== process.getuid?.()) continue;
    const current = CURRENT_NAME.exec(name);
    if (current !== null) {
      if ((await processStart(Number(current[1]))) === current[2]) continue;
    } else if (LEGACY_NAME.test(name)) {
      inUse ??= await pathsInCommandLines();
      if ([...inUse].some((arg) => arg.includes(path))) continue;
    } else {
      continue;
    }
    await rm(path, { recursive: true, force: true });
    removed.push(path);
  }
  return removed;
}

/** A process's start time (clock ticks since boot, field 22 of /proc/<pid>/stat); undefined when it does not run. */
async function processStart(pid: number): Promise<string | undefined> {
  const stat = await readFile(`/proc/${pid}/stat`, 'utf8').catch(() => undefined);
  // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
}

async function pathsInCommandLines(): Promise<Set<string>> {
  const args = new Set<string>();
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    for (const arg of cmdline.split('\0')) if (arg.includes(PRIVATE_DIR_PREFIX)) args.add(arg);
  }
  return args;
}
