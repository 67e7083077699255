import { join } from 'node:path';
import { SERVER_CONFIG_FILE } from './server-config.js';

/**
 * Whether the running server is the one init's identity config describes.
 * The config is only a file: a server that never read it (the conf volume is
 * not the server's include directory, an image whose my.cnf has no
 * !includedir) runs with its default server_id and none of the settings the
 * set needs. Two such replicas share a server_id, and a source ends the older
 * one's connection whenever the other connects; a replica whose id equals
 * the primary's skips the primary's events as its own. So the loop acts on
 * no server that fails this, and the pod is not Ready, with this reason.
 */
export function serverIdentityFault(expected: { serverId: number; confDir: string }, runningServerId: number): string | undefined {
  if (runningServerId === expected.serverId) return undefined;
  const file = join(expected.confDir, SERVER_CONFIG_FILE);
  return `the server runs with server_id ${runningServerId}, not ${expected.serverId} as ${file} says: it did not read the identity config; make CONF_DIR the directory the server includes, then restart the server`;
}
