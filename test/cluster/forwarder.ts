import { rmSync } from 'node:fs';
import { connect, createServer, type Server } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * The forwarder process: runs inside a pod (started with nsenter), listens on
 * a unix socket in the pod's host dir and relays each connection to
 * 127.0.0.1:<port> in the pod's network namespace. Path-bound unix sockets are
 * not scoped by network namespace, so the test process can connect to it.
 *
 * Usage: node --import tsx test/cluster/forwarder.ts <socketPath> <port>
 */

export function runForwarder(socketPath: string, port: number): Server {
  rmSync(socketPath, { force: true });
  const server = createServer((client) => {
    const upstream = connect(port, '127.0.0.1');
    const close = (): void => {
      client.destroy();
      upstream.destroy();
    };
    client.pipe(upstream).pipe(client);
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
  });
  server.listen(socketPath);
  return server;
}

function main(argv: string[]): void {
  const [socketPath, portText] = argv;
  const port = Number(portText);
  if (socketPath === undefined || !Number.isInteger(port) || port <= 0 || port > 65535) {
    process.stderr.write('usage: forwarder.ts <socketPath> <port>\n');
    process.exit(2);
  }
  const server = runForwarder(socketPath, port);
  server.on('error', (err) => {
    process.stderr.write(`forwarder: ${err.message}\n`);
    process.exit(1);
  });
  const stop = (): void => {
    server.close();
    rmSync(socketPath, { force: true });
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
