import { execa } from 'execa';
import type { Readable } from 'node:stream';
import type { Flavor } from '../mysql/server-version.js';
import { createPrivateDir } from '../fs/private-dir.js';
import type { Secret } from '../secret.js';
import { backupCommand, renderOptionFile } from './backup-tool.js';

export interface BackupOutcome {
  readonly ok: boolean;
  /** Why it failed, from the tool's last stderr lines: safe to send (no secrets pass through stderr). */
  readonly reason: string;
}

export interface RunningBackup {
  /** The xbstream on the tool's stdout. */
  readonly stream: Readable;
  /** Settles when the tool has exited and its temp files are gone. */
  readonly done: Promise<BackupOutcome>;
  readonly pid: number | undefined;
  abort(reason: string): void;
}

const STDERR_LINES_KEPT = 5;
const KILL_AFTER_MS = 5_000;

/**
 * Starts the backup tool streaming to stdout. The password goes into a 0600
 * option file in a private temp dir, removed when the tool exits; `abort`
 * (client gone, shutdown) terminates the tool, then kills it if it lingers.
 */
export async function startBackup(input: {
  flavor: Flavor;
  dataDir: string;
  mysql: { host: string; port: number; user: string; password: Secret };
  parallel: number;
}): Promise<RunningBackup> {
  const dir = await createPrivateDir('msa-backup');
  const optionFile = await dir.writeSecretFile(
    'client.cnf',
    renderOptionFile({ group: 'client', user: input.mysql.user, password: input.mysql.password.reveal(), host: input.mysql.host, port: input.mysql.port }),
  );
  const command = backupCommand({ flavor: input.flavor, optionFile, dataDir: input.dataDir, scratchDir: dir.path, parallel: input.parallel });
  const controller = new AbortController();
  const child = execa(command.file, command.args, {
    buffer: false,
    stdin: 'ignore',
    cancelSignal: controller.signal,
    forceKillAfterDelay: KILL_AFTER_MS,
    reject: false,
  });
  const tail: string[] = [];
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - STDERR_LINES_KEPT));
  });
  let abortReason: string | undefined;
  const done = child.then(async (result): Promise<BackupOutcome> => {
    await dir.dispose();
    if (abortReason !== undefined) return { ok: false, reason: `aborted: ${abortReason}` };
    if (result.exitCode === 0) return { ok: true, reason: '' };
    if (result.exitCode === undefined && result.signal === undefined) {
      return { ok: false, reason: `could not run ${command.file}: ${result.originalMessage}` };
    }
    const how = result.exitCode === undefined ? `killed by ${result.signal ?? 'a signal'}` : `exit code ${result.exitCode}`;
    return { ok: false, reason: `${command.file} failed (${how}): ${tail.at(-1) ?? 'no message'}` };
  });
  return {
    stream: child.stdout,
    done,
    pid: child.pid,
    abort(reason) {
      abortReason ??= reason;
      controller.abort();
    },
  };
}
