import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { createFastify } from '../../../src/http/fastify.js';
import { createLogger } from '../../../src/log.js';

// The agent's fastify runs without ajv and fast-json-stringify (src/http/fastify.ts):
// ~1 MiB of the sidecar's idle RSS. A fresh node (vitest's own process may
// have loaded them) builds the sidecar's HTTP app as built in dist/ and
// answers a request; fastify's CommonJS require cache must not hold them.

const DIST = fileURLToPath(new URL('../../../dist/', import.meta.url));
const SCHEMA_COMPILERS = /\/node_modules\/(ajv|fast-json-stringify\/index\.js|@fastify\/ajv-compiler|@fastify\/fast-json-stringify-compiler)\//;

describe("the agent's fastify", () => {
  it('serves the sidecar app without loading the schema compilers', async () => {
    const script = `
      import { createRequire } from 'node:module';
      const { buildHttpApp } = await import(${JSON.stringify(DIST)} + 'http/app.js');
      const { createMetricsRegistry } = await import(${JSON.stringify(DIST)} + 'http/metrics.js');
      const { deriveIdentity } = await import(${JSON.stringify(DIST)} + 'identity/identity.js');
      const { createLogger } = await import(${JSON.stringify(DIST)} + 'log.js');
      const identity = deriveIdentity({ pod: { setName: 'mysql', ordinal: 1 }, names: { serviceName: 'mysql', namespace: 'default', clusterDomain: 'cluster.local' }, serverIdOffset: 100 });
      const ok = () => ({ ok: true, reasons: [] });
      const app = buildHttpApp({ logger: createLogger({ level: 'silent', pod: 'mysql-1', phase: 'serve' }), registry: createMetricsRegistry({ identity, version: '9.9.9' }),
        alive: ok, health: ok, readiness: ok, status: () => ({ pod: 'mysql-1' }) });
      const answer = await app.inject('/metrics');
      const loaded = Object.keys(createRequire(import.meta.resolve('fastify')).cache);
      console.log(JSON.stringify({ status: answer.statusCode, fastifyLoaded: loaded.some((path) => path.includes('/node_modules/fastify/')), compilers: loaded.filter((path) => ${SCHEMA_COMPILERS}.test(path)) }));`;
    const run = await execa(process.execPath, ['--input-type=module', '-e', script], { cwd: fileURLToPath(new URL('../../../', import.meta.url)), reject: false });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ status: 200, fastifyLoaded: true, compilers: [] });
  });

  it('refuses a route that declares a schema, saying why, instead of leaving it unvalidated', async () => {
    const app = createFastify(createLogger({ level: 'silent', pod: 'mysql-1', phase: 'serve' }));
    app.post('/clone', { schema: { body: { type: 'object', required: ['token'] } } }, async () => 'ok');
    await expect(app.ready()).rejects.toThrow("the agent's HTTP server has no validator compiler: its routes declare no JSON schema");
  });
});
