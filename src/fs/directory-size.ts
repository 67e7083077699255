import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Total size of the regular files under `dir`, skipping top-level entries `skip` says no to. */
export async function directorySize(dir: string, skip: (topLevelName: string) => boolean): Promise<number> {
  let total = 0;
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (skip(entry.name)) continue;
    total += await sizeOf(join(dir, entry.name), entry.isDirectory());
  }
  return total;
}

async function sizeOf(path: string, isDirectory: boolean): Promise<number> {
  if (!isDirectory) return (await stat(path).catch(() => ({ size: 0 }))).size;
  let total = 0;
  const entries = await readdir(path, { withFileTypes: true }).catch(() => []);
  for (const entry of entries) total += await sizeOf(join(path, entry.name), entry.isDirectory());
  return total;
}
