import type { Pod } from '../cluster/index.js';
import type { Command } from '../../src/clone/backup-tool.js';

/** Single-quotes a word for bash: nothing inside single quotes is special except the quote itself. */
export function shellQuote(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}

export function renderCommand(command: Command): string {
  return [command.file, ...command.args].map(shellQuote).join(' ');
}

/** Long enough for a multi-GB clone on a slow disk; a hung pipeline still ends the run. */
const SCRIPT_TIMEOUT_MS = 900_000;

/**
 * Runs a bash pipeline inside the pod's namespaces. pipefail, so a failing
 * producer (mariadb-backup) fails the run instead of timing a truncated stream.
 * The last stderr lines go into the error: mariadb-backup explains itself there.
 */
export async function runInPod(pod: Pod, what: string, script: string): Promise<void> {
  const result = await pod.exec('bash', ['-o', 'pipefail', '-c', script], { reject: false, timeoutMs: SCRIPT_TIMEOUT_MS });
  if (result.exitCode !== 0) {
    const tail = result.stderr.trim().split('\n').slice(-5).join('\n');
    throw new Error(`${what} in ${pod.name} exited ${result.exitCode}:\n${tail}`);
  }
}
