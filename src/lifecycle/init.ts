import { prepareDataDir, type DataDirOutcome } from './prepare-data-dir.js';
import { startInitStatus } from './init-status.js';
import { InitTracker } from '../clone/init-progress.js';
import type { Config } from '../config.js';
import { InterruptedError } from '../errors.js';
import { DnsClient } from '../discovery/dns-client.js';
import { writeIdentityConfig } from '../identity/write-config.js';
import { cloneMethodOrFail } from '../clone/method.js';
import type { Logger } from '../log.js';
import { resolveServerVersionOrFail } from '../mysql/resolve-version.js';
import type { ServerVersion } from '../mysql/server-version.js';

/**
 * The init container: the identity config, then a data dir that is safe to
 * start mysqld on (kept, adopted, cloned from a peer, or left empty for the
 * server's own first boot). Safe to run again at any point. `signal` (SIGTERM,
 * SIGINT) stops it at the next wait, with the data dir as it was or empty
 * (ARCHITECTURE.md, "Stopping init"). Its status server answers peers the whole
 * time and is closed on every way out, so the sidecar can bind the port
 * (ARCHITECTURE.md, "Init answers peers").
 */
export async function runInit(config: Config, logger: Logger, signal: AbortSignal, agentVersion: string): Promise<DataDirOutcome> {
  signal.addEventListener('abort', () => logger.warn({ signal: signalName(signal.reason) }, 'told to stop: ending what init waits for'), { once: true });
  const version = await resolveServerVersionOrFail(config);
  const tracker = new InitTracker();
  const status = await startInitStatus({ config, logger, version: agentVersion, flavor: version.flavor, tracker });
  try {
    const outcome = await initialise(config, logger, signal, { version, tracker });
    tracker.enter('done');
    return outcome;
  } finally {
    await status.close();
  }
}

async function initialise(config: Config, logger: Logger, signal: AbortSignal, input: { version: ServerVersion; tracker: InitTracker }): Promise<DataDirOutcome> {
  const { version, tracker } = input;
  const method = cloneMethodOrFail(config, version);
  const clonePlugin = method === 'clone-plugin';
  // Written before the data dir is touched, so a CONF_DIR that cannot be written fails in a second, not after a clone.
  await writeIdentityConfig(config, version, { clonePlugin, awaitingClone: false }, logger);
  signal.throwIfAborted();
  const outcome = await prepareDataDir({ config, flavor: version.flavor, method, client: new DnsClient(config.dns), logger, signal, tracker });
  if (outcome === 'clone-pending') await writeIdentityConfig(config, version, { clonePlugin, awaitingClone: true }, logger);
  logger.info({ outcome, method }, 'init done');
  return outcome;
}

function signalName(reason: unknown): string {
  return reason instanceof InterruptedError ? reason.signal : String(reason);
}
