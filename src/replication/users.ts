import type { Connection } from 'mysql2/promise';
import { connectToServer, type ServerAddress } from '../mysql/connection.js';
import { ER_ACCESS_DENIED_ERROR, serverErrno } from '../mysql/error-numbers.js';
import { dialectFor, type SourceSettings } from '../mysql/dialect.js';
import { readServerState } from '../mysql/server-state.js';
import { closeGently, closeHard, withDeadline } from './connection-guard.js';
import { ensurePrimaryObjects, type UserSpec } from './primary.js';

/** On the primary, once per sidecar start, with root: the users, their grants and the heartbeat table. */
export async function ensureUsersAsRoot(input: {
  root: ServerAddress;
  local: ServerAddress;
  source: SourceSettings;
  cloneUser: UserSpec | undefined;
  deadlineMs: number;
}): Promise<void> {
  const root = await connectToServer(input.root);
  root.on('error', () => undefined);
  try {
    const work = (async () => {
      const server = await readServerState(root);
      await ensurePrimaryObjects(root, {
        replication: { user: input.source.user, password: input.source.password },
        agent: { user: input.local.user, password: input.local.password },
        agentPrivileges: dialectFor(server.version).agentPrivileges,
        clone: input.cloneUser,
      });
    })();
    await withDeadline(work, { ms: input.deadlineMs, onTimeout: () => closeHard(root) });
  } finally {
    await closeGently(root);
  }
}

/**
 * The agent's own user. A replica cloned or running from before that user
 * existed gets it through replication, and meanwhile uses root: a replica
 * must never create users itself, that would be an errant transaction.
 */
export async function connectAsAgent(input: {
  role: 'primary' | 'replica';
  local: ServerAddress;
  root: ServerAddress;
  onRootFallback: () => void;
}): Promise<Connection> {
  try {
    return await connectToServer(input.local);
  } catch (error) {
    if (serverErrno(error) !== ER_ACCESS_DENIED_ERROR || input.role === 'primary') throw error;
    input.onRootFallback();
    return connectToServer(input.root);
  }
}
