import { detectFlavor } from './detect-flavor.js';
import { defaultVersionOf, type Flavor, type ServerVersion } from './server-version.js';

/**
 * The server version whose syntax init writes: configured, else the oldest
 * supported release of the configured (or detected) flavour.
 */
export async function resolveServerVersion(input: {
  flavor: Flavor | 'auto';
  serverVersion: ServerVersion | undefined;
  searchPath: string | undefined;
}): Promise<ServerVersion> {
  if (input.serverVersion !== undefined) return input.serverVersion;
  const flavor = input.flavor === 'auto' ? await detectFlavor(input.searchPath) : input.flavor;
  return defaultVersionOf(flavor);
}
