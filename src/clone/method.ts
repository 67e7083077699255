import { AgentError } from '../errors.js';
import { versionAtLeast, formatServerVersion, type ServerVersion } from '../mysql/server-version.js';

/**
 * How a pod gets a copy of a peer's data (ARCHITECTURE.md, "Clone methods"):
 * MySQL's own CLONE plugin (MySQL 8.0.17+), or a physical backup streamed by the
 * agent (mariadb-backup for MariaDB, XtraBackup for MySQL where the image has it).
 */
export const CLONE_METHODS = ['auto', 'clone-plugin', 'backup-stream'] as const;
export type CloneMethodSetting = (typeof CLONE_METHODS)[number];
export type CloneMethod = Exclude<CloneMethodSetting, 'auto'>;

/** `auto`: the CLONE plugin wherever the server has it, else the backup stream. Throws for a choice the server cannot do. */
export function resolveCloneMethod(setting: CloneMethodSetting, version: ServerVersion): CloneMethod {
  const pluginAvailable = version.flavor === 'mysql' && versionAtLeast(version, 8, 0, 17);
  if (setting === 'auto') return pluginAvailable ? 'clone-plugin' : 'backup-stream';
  if (setting === 'clone-plugin' && !pluginAvailable) {
    throw new Error(`CLONE_METHOD=clone-plugin needs MySQL 8.0.17 or later, not ${formatServerVersion(version)}: use backup-stream`);
  }
  return setting;
}

/** The clone method for this server version; a choice it cannot do is a configuration error. */
export function cloneMethodOrFail(config: { readonly cloneMethod: CloneMethodSetting }, version: ServerVersion): CloneMethod {
  try {
    return resolveCloneMethod(config.cloneMethod, version);
  } catch (error) {
    throw new AgentError('config', (error as Error).message, { cause: error });
  }
}
