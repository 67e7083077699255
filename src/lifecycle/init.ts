import { join } from 'node:path';
import { prepareDataDir, type DataDirOutcome } from './prepare-data-dir.js';
import type { Config } from '../config.js';
import { DnsClient } from '../discovery/dns-client.js';
import { AgentError, systemErrorCode } from '../errors.js';
import { ensureFileContent } from '../fs/atomic-file.js';
import { renderServerConfig, SERVER_CONFIG_FILE, type ServerConfigOptions } from '../identity/server-config.js';
import { cloneMethodOrFail } from '../clone/method.js';
import type { Logger } from '../log.js';
import { resolveServerVersionOrFail } from '../mysql/resolve-version.js';
import { formatServerVersion, type ServerVersion } from '../mysql/server-version.js';

/**
 * The init container: the identity config, then a data dir that is safe to
 * start mysqld on (kept, adopted, cloned from a peer, or left empty for the
 * server's own first boot). Safe to run again at any point.
 */
export async function runInit(config: Config, logger: Logger): Promise<DataDirOutcome> {
  const version = await resolveServerVersionOrFail(config);
  const method = cloneMethodOrFail(config, version);
  const clonePlugin = method === 'clone-plugin';
  // Written before the data dir is touched, so a CONF_DIR that cannot be written fails in a second, not after a clone.
  await writeIdentityConfig(config, version, { clonePlugin, awaitingClone: false }, logger);
  const outcome = await prepareDataDir({ config, flavor: version.flavor, method, client: new DnsClient(config.dns), logger });
  if (outcome === 'clone-pending') await writeIdentityConfig(config, version, { clonePlugin, awaitingClone: true }, logger);
  logger.info({ outcome, method }, 'init done');
  return outcome;
}

async function writeIdentityConfig(config: Config, version: ServerVersion, options: ServerConfigOptions, logger: Logger): Promise<void> {
  const { identity } = config;
  const path = join(config.confDir, SERVER_CONFIG_FILE);
  const changed = await ensureFileContent(path, renderServerConfig(identity, version, options)).catch((error: unknown) => {
    const code = systemErrorCode(error);
    throw new AgentError(
      'config',
      `failed to write the identity config ${path} (${code}): check that CONF_DIR is a writable volume`,
      { cause: error },
    );
  });
  logger.info(
    { path, serverId: identity.serverId, role: identity.role, reportHost: identity.fqdn, syntax: formatServerVersion(version), ...options },
    changed ? 'wrote the identity config' : 'identity config already up to date',
  );
}
