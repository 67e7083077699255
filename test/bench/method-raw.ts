import { join } from 'node:path';
import type { Pod } from '../cluster/index.js';
import { elapsedSince } from './clock.js';
import { freshDirs, type Method, type RunTiming } from './method.js';
import { runInPod } from './shell.js';
import type { Tools } from './tools.js';

/**
 * The floor: the same backup, extract and prepare on the donor itself,
 * through a kernel pipe, into a scratch dir next to mysql-0's volume (same
 * filesystem, so the writes cost what they cost the agent's staging dir).
 */
export function rawLocalMethod(pod: Pod, tools: Tools): Method {
  const target = join(pod.paths.dir, 'bench-raw');
  const scratch = join(pod.paths.dir, 'bench-raw-tmp');
  return {
    key: 'raw',
    label: 'raw local pipeline (mysql-0)',
    resultDir: target,
    reset: () => freshDirs(target, scratch),
    async run(): Promise<RunTiming> {
      const started = process.hrtime.bigint();
      await runInPod(pod, 'backup | extract', `${tools.backup(scratch)} | ${tools.extract(target)}`);
      const streamSeconds = elapsedSince(started);
      await runInPod(pod, 'prepare', tools.prepare(target));
      const seconds = elapsedSince(started);
      return { seconds, streamSeconds, prepareSeconds: seconds - streamSeconds, otherSeconds: 0 };
    },
  };
}
