import { execa } from 'execa';
import type { Socket } from 'node:net';
import type { Flavor } from '../../mysql/server-version.js';
import { createPrivateDir } from '../../fs/private-dir.js';
import { bytesWrittenBy } from '../../fs/process-io.js';
import type { Secret } from '../../secret.js';
import { backupCommand, renderOptionFile } from '../backup-tool.js';
import { coalesce } from '../coalesce.js';

export interface BackupOutcome {
  readonly ok: boolean;
  /** `ok`, `failed` or `aborted` (shutdown, or the recipient went away). */
  readonly result: 'ok' | 'failed' | 'aborted';
  /** Why it failed, from the tool's last stderr lines: safe to send (no secrets pass through stderr). */
  readonly reason: string;
  readonly bytes: number;
}

export interface RunningBackup {
  /** Settles when the tool has exited and its temp files are gone. */
  readonly done: Promise<BackupOutcome>;
  readonly pid: number | undefined;
  abort(reason: string): void;
}

const STDERR_LINES_KEPT = 5;
const KILL_AFTER_MS = 5_000;
/** Sampling /proc: a stream handed to the tool is counted this often (the last sample before exit is the total, so it undercounts by at most this much of the stream). */
const COUNT_EVERY_MS = 100;

/**
 * Runs the backup tool with its stdout on the recipient's connection. A plain
 * TCP socket is handed to the tool itself (its file descriptor becomes the
 * tool's stdout), so the stream never passes through node; a TLS socket needs
 * node to encrypt, so the stream is piped. The password goes into a 0600 option
 * file in a private temp dir, removed when the tool exits; `abort` terminates
 * the tool, then kills it if it lingers.
 */
export async function startBackup(input: {
  flavor: Flavor;
  dataDir: string;
  mysql: { host: string; port: number; user: string; password: Secret };
  parallel: number;
  output: Socket;
  handOff: boolean;
  onBytes: (total: number) => void;
}): Promise<RunningBackup> {
  const dir = await createPrivateDir('msa-backup');
  const optionFile = await dir
    .writeSecretFile(
      'client.cnf',
      renderOptionFile({ group: 'client', user: input.mysql.user, password: input.mysql.password.reveal(), host: input.mysql.host, port: input.mysql.port }),
    )
    .catch(async (error: unknown) => {
      // No tool will run to end and dispose of it: gone now, not at exit.
      await dir.dispose();
      throw error;
    });
  const command = backupCommand({ flavor: input.flavor, optionFile, dataDir: input.dataDir, scratchDir: dir.path, parallel: input.parallel });
  const controller = new AbortController();
  const child = execa(command.file, command.args, {
    buffer: false,
    stdin: 'ignore',
    stdout: input.handOff ? input.output : 'pipe',
    cancelSignal: controller.signal,
    forceKillAfterDelay: KILL_AFTER_MS,
    reject: false,
  });
  const bytes = countBytes(child, input);
  const tail = keepTail(child.stderr);
  let abortReason: string | undefined;
  const done = child.then(async (result): Promise<BackupOutcome> => {
    const total = await bytes.stop();
    await dir.dispose();
    if (abortReason !== undefined) return { ok: false, result: 'aborted', reason: `aborted: ${abortReason}`, bytes: total };
    if (result.exitCode === 0) return { ok: true, result: 'ok', reason: '', bytes: total };
    const last = tail.at(-1) ?? 'no message';
    if (/broken pipe|errno 32|EPIPE/i.test(tail.join('\n'))) {
      return { ok: false, result: 'aborted', reason: `aborted: the recipient went away (${last})`, bytes: total };
    }
    if (result.exitCode === undefined && result.signal === undefined) {
      return { ok: false, result: 'failed', reason: `could not run ${command.file}: ${result.originalMessage}`, bytes: total };
    }
    const how = result.exitCode === undefined ? `killed by ${result.signal ?? 'a signal'}` : `exit code ${result.exitCode}`;
    return { ok: false, result: 'failed', reason: `${command.file} failed (${how}): ${last}`, bytes: total };
  });
  return {
    done,
    pid: child.pid,
    abort(reason) {
      abortReason ??= reason;
      controller.abort();
    },
  };
}

/** Counts what reaches the recipient: from the pipe when node copies, from /proc when the tool writes directly. */
function countBytes(
  child: { pid?: number | undefined; stdout: NodeJS.ReadableStream | null },
  input: { output: Socket; handOff: boolean; onBytes: (total: number) => void },
): { stop: () => Promise<number> } {
  let total = 0;
  if (!input.handOff && child.stdout) {
    const copy = coalesce();
    copy.on('data', (chunk: Buffer) => {
      total += chunk.length;
      input.onBytes(total);
    });
    const stdout = child.stdout;
    stdout.pipe(copy).pipe(input.output, { end: false });
    // A recipient that hung up reads nothing more: drain the rest, or the tool's end (and execa's) waits on a full pipe forever.
    input.output.once('close', () => {
      stdout.unpipe(copy);
      stdout.resume();
    });
    return { stop: async () => total };
  }
  const sample = async () => {
    if (child.pid === undefined) return;
    const written = await bytesWrittenBy(child.pid);
    if (written !== undefined && written > total) {
      total = written;
      input.onBytes(total);
    }
  };
  const timer = setInterval(() => void sample(), COUNT_EVERY_MS);
  return {
    stop: async () => {
      clearInterval(timer);
      return total;
    },
  };
}

function keepTail(stderr: NodeJS.ReadableStream | null): string[] {
  const tail: string[] = [];
  stderr?.setEncoding('utf8');
  stderr?.on('data', (chunk: string) => {
    tail.push(...chunk.split('\n').filter((line) => line.trim() !== ''));
    tail.splice(0, Math.max(0, tail.length - STDERR_LINES_KEPT));
  });
  return tail;
}
