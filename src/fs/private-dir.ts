import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A 0700 temp dir for files that hold secrets (option files for child tools),
 * removed by `dispose` whatever happens. Passwords reach child processes this
 * way, never through argv, where `ps` shows them to every user.
 */
export interface PrivateDir {
  readonly path: string;
  writeSecretFile(name: string, content: string): Promise<string>;
  dispose(): Promise<void>;
}

export async function createPrivateDir(prefix: string): Promise<PrivateDir> {
  const path = await mkdtemp(join(tmpdir(), `${prefix}-`));
  return {
    path,
    async writeSecretFile(name, content) {
      const file = join(path, name);
      await writeFile(file, content, { mode: 0o600, flag: 'wx' });
      return file;
    },
    async dispose() {
      await rm(path, { recursive: true, force: true });
    },
  };
}
