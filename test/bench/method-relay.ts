import { join } from 'node:path';
import type { Pod } from '../cluster/index.js';
import { elapsedSince } from './clock.js';
import { freshDirs, type Method, type RunTiming } from './method.js';
import { runInPod } from './shell.js';
import type { Tools } from './tools.js';

/** Off the agent's ports (3306 SQL, 3307 clone, 8080 HTTP). */
const RELAY_PORT = 3308;
/** The listener may not be up yet when the recipient starts: retry for up to ~30 s. */
const CONNECT_RETRIES = 600;
const CONNECT_INTERVAL_SECONDS = 0.05;

/**
 * The Kubernetes tutorial's way: the donor pipes the backup into a plain TCP
 * listener (ncat there, socat here), the recipient connects by the donor's
 * stable DNS name and pipes the bytes into the extractor, then prepares. No
 * authentication, no end-of-stream status: the baseline the agent must not be
 * slower than. Same backup, extract and prepare command lines as the agent.
 */
export function relayMethod(input: { donor: Pod; recipient: Pod; donorHost: string; tools: Tools }): Method {
  const { donor, recipient, tools } = input;
  const target = join(recipient.paths.dir, 'bench-relay');
  const scratch = join(donor.paths.dir, 'bench-relay-tmp');
  const send = `${tools.backup(scratch)} | socat -u - TCP-LISTEN:${RELAY_PORT},reuseaddr`;
  const connect = `TCP:${input.donorHost}:${RELAY_PORT},retry=${CONNECT_RETRIES},interval=${CONNECT_INTERVAL_SECONDS}`;
  const receive = `socat -u ${connect} - | ${tools.extract(target)}`;
  return {
    key: 'relay',
    label: 'plain TCP relay (socat)',
    resultDir: target,
    reset: () => freshDirs(target, scratch),
    async run(): Promise<RunTiming> {
      const started = process.hrtime.bigint();
      // If one side fails the other may wait for its peer until the cluster
      // goes down (which kills every process in the pods): the error still
      // surfaces at once through Promise.all.
      await Promise.all([runInPod(donor, 'backup | socat listener', send), runInPod(recipient, 'socat | extract', receive)]);
      const streamSeconds = elapsedSince(started);
      await runInPod(recipient, 'prepare', tools.prepare(target));
      const seconds = elapsedSince(started);
      return { seconds, streamSeconds, prepareSeconds: seconds - streamSeconds, otherSeconds: 0 };
    },
  };
}
