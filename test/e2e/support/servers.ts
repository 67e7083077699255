import type { Flavor } from '../../../src/mysql/server-version.js';
import { SERVER_CASES, type ServerCase } from '../../support/server-sql.js';

/**
 * The servers every end-to-end scenario runs on (the integration tests'
 * SERVER_CASES), and what differs between them as the agent's design says
 * (ARCHITECTURE.md, "Clone methods"): MariaDB pods clone in init with a
 * mariadb-backup stream from a peer's sidecar; MySQL 9.7 pods clone with the
 * CLONE plugin, driven by the sidecar, and the server restarts once to finish
 * each clone.
 */
export interface E2eServer extends ServerCase {
  /** The server's process name in the pod (`/proc/<pid>/comm`). */
  readonly daemon: string;
  readonly clone: CloneFacts;
}

export interface CloneFacts {
  readonly method: 'backup-stream' | 'clone-plugin';
  /** What init logs as its outcome ("init done") for a pod it clones. */
  readonly initOutcome: 'cloned' | 'clone-pending';
  /** Server container restarts one clone takes (the CLONE plugin ends with mysqld exiting; the kubelet starts it again). */
  readonly restarts: number;
}

const FACTS: Record<Flavor, Pick<E2eServer, 'daemon' | 'clone'>> = {
  mariadb: { daemon: 'mariadbd', clone: { method: 'backup-stream', initOutcome: 'cloned', restarts: 0 } },
  mysql: { daemon: 'mysqld', clone: { method: 'clone-plugin', initOutcome: 'clone-pending', restarts: 1 } },
};

export const E2E_SERVERS: readonly E2eServer[] = SERVER_CASES.map((serverCase) => ({ ...serverCase, ...FACTS[serverCase.flavor] }));

/** `describe.each(EACH_SERVER)('… on %s …', (_name, server) => …)`: the server's name in the title, unquoted. */
export const EACH_SERVER: readonly (readonly [string, E2eServer])[] = E2E_SERVERS.map((server) => [server.server, server] as const);
