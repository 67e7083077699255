import { buildHttpApp } from '../../src/http/app.js';
import { createMetricsRegistry } from '../../src/http/metrics.js';
import { deriveIdentity } from '../../src/identity/identity.js';
import { createLogger } from '../../src/log.js';

/**
 * Whether the sidecar's real HTTP app has a GET route for a path: what the
 * manifest checks hold probe paths against, so a route renamed in src/ fails
 * them instead of a hand-kept list.
 */
export async function agentServesPath(): Promise<(path: string) => boolean> {
  const identity = deriveIdentity({
    pod: { setName: 'mysql', ordinal: 1 },
    names: { serviceName: 'mysql', namespace: 'default', clusterDomain: 'cluster.local' },
    serverIdOffset: 100,
  });
  const probe = { ok: true, reasons: [] };
  const app = buildHttpApp({
    logger: createLogger({ level: 'silent', pod: identity.podName, phase: 'serve' }),
    registry: createMetricsRegistry({ identity, version: '0.0.0' }),
    alive: () => probe,
    health: () => probe,
    readiness: () => probe,
    status: () => ({}),
  });
  await app.ready();
  return (path) => app.hasRoute({ method: 'GET', url: path });
}
