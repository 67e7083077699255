import { join } from 'node:path';
import type { Config } from '../config.js';
import { AgentError, systemErrorCode } from '../errors.js';
import { ensureFileContent } from '../fs/atomic-file.js';
import type { Logger } from '../log.js';
import { formatServerVersion, type ServerVersion } from '../mysql/server-version.js';
import { renderServerConfig, SERVER_CONFIG_FILE, type ServerConfigOptions } from './server-config.js';

/**
 * Writes the identity config into CONF_DIR (atomically, only when it changes).
 * Init writes it at every pod start; the sidecar writes it once more when a
 * CLONE-plugin clone completes, because the server restarts in the same pod
 * and would otherwise keep the "waiting for a clone" settings until the next one.
 */
export async function writeIdentityConfig(
  config: Pick<Config, 'identity' | 'confDir'>,
  version: ServerVersion,
  options: ServerConfigOptions,
  logger: Logger,
): Promise<void> {
  const { identity } = config;
  const path = join(config.confDir, SERVER_CONFIG_FILE);
  const changed = await ensureFileContent(path, renderServerConfig(identity, version, options)).catch((error: unknown) => {
    throw new AgentError('config', `failed to write the identity config ${path} (${systemErrorCode(error)}): check that CONF_DIR is a writable volume`, {
      cause: error,
    });
  });
  logger.info(
    { path, serverId: identity.serverId, role: identity.role, reportHost: identity.fqdn, syntax: formatServerVersion(version), ...options },
    changed ? 'wrote the identity config' : 'identity config already up to date',
  );
}
