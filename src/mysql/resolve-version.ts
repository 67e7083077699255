import { AgentError } from '../errors.js';
import { detectFlavor } from './detect-flavor.js';
import { defaultVersionOf, type Flavor, type ServerVersion } from './server-version.js';

/**
 * The server version whose syntax init writes: configured, else the oldest
 * supported release of the configured (or detected) flavour.
 */
export async function resolveServerVersionOrFail(input: {
  flavor: Flavor | 'auto';
  serverVersion: ServerVersion | undefined;
  searchPath: string | undefined;
  dataDir: string;
}): Promise<ServerVersion> {
  if (input.serverVersion !== undefined) return input.serverVersion;
  try {
    const flavor = input.flavor === 'auto' ? await detectFlavor(input) : input.flavor;
    return defaultVersionOf(flavor);
  } catch (error) {
    throw new AgentError('config', (error as Error).message, { cause: error });
  }
}
