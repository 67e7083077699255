import { readFile } from 'node:fs/promises';

/**
 * Bytes a process has written so far (Linux `/proc/<pid>/io`, `wchar`): how the
 * donor counts a stream that goes from the backup tool straight to the socket.
 * Includes the tool's log lines on stderr, a rounding error next to a backup.
 */
export async function bytesWrittenBy(pid: number): Promise<number | undefined> {
  const text = await readFile(`/proc/${pid}/io`, 'utf8').catch(() => undefined);
  const match = text === undefined ? null : /^wchar:\s*(\d+)$/m.exec(text);
  return match ? Number(match[1]) : undefined;
}
