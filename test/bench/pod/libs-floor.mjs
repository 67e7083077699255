// The runtime libraries' own idle footprint, without any of the agent's code:
// node plus fastify (serving /healthz), prom-client (default metrics, rendered
// once), mysql2 and pino, each loaded and used the least a sidecar does. Run by
// `bash test/bench/image-idle.sh <label> libs` in the image, where it is
// mounted into /app so that the image's node_modules resolve.
// Usage: node [flags] libs-floor.mjs <port>
import fastify from 'fastify';
import { collectDefaultMetrics, register } from 'prom-client';
import 'mysql2/promise';
import pino from 'pino';

const port = Number(process.argv[2]);
const app = fastify();
app.get('/healthz', async () => 'ok');
app.get('/metrics', async () => register.metrics());
collectDefaultMetrics();
await register.metrics();
pino().info({ port }, 'the libraries are loaded');
await app.listen({ port, host: '127.0.0.1' });
