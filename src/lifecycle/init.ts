import { join } from 'node:path';
import type { Config } from '../config.js';
import { AgentError } from '../errors.js';
import { ensureFileContent } from '../fs/atomic-file.js';
import { renderServerConfig, SERVER_CONFIG_FILE } from '../identity/server-config.js';
import type { Logger } from '../log.js';
import { resolveServerVersion } from '../mysql/resolve-version.js';
import { formatServerVersion } from '../mysql/server-version.js';

/**
 * The init container. Today: the identity step (server_id, report_host, role
 * options) written into the server's include dir. Safe to run any number of
 * times: an unchanged file is not touched.
 */
export async function runInit(config: Config, logger: Logger): Promise<void> {
  const { identity } = config;
  const version = await resolveServerVersion(config).catch((error: unknown) => {
    throw new AgentError('config', (error as Error).message, { cause: error });
  });
  const path = join(config.confDir, SERVER_CONFIG_FILE);
  const changed = await ensureFileContent(path, renderServerConfig(identity, version)).catch((error: unknown) => {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new AgentError(
      'config',
      `failed to write the identity config ${path} (${code}): check that CONF_DIR is a writable volume`,
      { cause: error },
    );
  });
  logger.info(
    { path, serverId: identity.serverId, role: identity.role, reportHost: identity.fqdn, syntax: formatServerVersion(version) },
    changed ? 'wrote the identity config' : 'identity config already up to date',
  );
}
