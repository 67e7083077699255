import { connect, createServer, type Server, type Socket } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * A man in the middle of the clone port, run inside a donor pod: listens on
 * `listenPort` and relays each connection to 127.0.0.1:`targetPort`. Requests
 * pass unchanged, so the donor's HMAC check succeeds; once the donor has
 * switched a connection to the backup stream (101), the stream is damaged
 * after `afterBytes`: `flip` inverts one byte in every 4 KiB, `truncate` cuts
 * both connections. Other answers (the status request) pass unchanged.
 * One JSON line per damaged connection goes to stdout, so a test can tell that
 * the damage happened.
 *
 * Usage: node --import tsx test/e2e/support/corrupting-relay.ts <listenPort> <targetPort> <flip|truncate> <afterBytes>
 */

export type Damage = 'flip' | 'truncate';

const FLIP_EVERY = 4096;
const HEAD_END = Buffer.from('\r\n\r\n');
const SWITCHING = Buffer.from('HTTP/1.1 101 ');
/** Larger than any response head the donor sends. */
const MAX_HEAD = 4096;

/**
 * Damages what follows the donor's 101 head. The head is searched for in the
 * whole answer stream, not only at its start: the recipient's HTTP agent
 * keeps connections alive, so a backup request can follow a status request
 * on the same connection.
 */
class StreamDamager {
  /** The last bytes seen before the 101 head ended, to find a head split across chunks. */
  #tail = Buffer.alloc(0);
  #upgraded = false;
  #body = 0;
  flipped = 0;

  constructor(
    private readonly damage: Damage,
    private readonly afterBytes: number,
  ) {}

  /** The chunk to forward, or undefined when the connection must be cut now. */
  pass(chunk: Buffer): Buffer | undefined {
    if (!this.#upgraded) return this.#findHead(chunk);
    const start = this.#body;
    this.#body += chunk.length;
    if (this.#body <= this.afterBytes) return chunk;
    if (this.damage === 'truncate') return undefined;
    const out = Buffer.from(chunk);
    for (let offset = 0; offset < out.length; offset++) {
      const position = start + offset;
      if (position >= this.afterBytes && position % FLIP_EVERY === 0) {
        out[offset] = (out[offset] ?? 0) ^ 0xff;
        this.flipped += 1;
      }
    }
    return out;
  }

  get bodyBytes(): number {
    return this.#body;
  }

  #findHead(chunk: Buffer): Buffer | undefined {
    const seen = Buffer.concat([this.#tail, chunk]);
    const head = seen.indexOf(SWITCHING);
    const end = head < 0 ? -1 : seen.indexOf(HEAD_END, head);
    if (end < 0) {
      this.#tail = seen.subarray(-MAX_HEAD);
      return chunk;
    }
    this.#upgraded = true;
    this.#tail = Buffer.alloc(0);
    // The head ends in this chunk: had it ended in the tail, an earlier chunk would have found it.
    const split = end + HEAD_END.length - (seen.length - chunk.length);
    const rest = chunk.subarray(split);
    if (rest.length === 0) return chunk;
    const body = this.pass(rest);
    return body === undefined ? undefined : Buffer.concat([chunk.subarray(0, split), body]);
  }
}

function relay(client: Socket, targetPort: number, damage: Damage, afterBytes: number): void {
  const upstream = connect(targetPort, '127.0.0.1');
  const damager = new StreamDamager(damage, afterBytes);
  let reported = false;
  const report = (): void => {
    if (reported || (damager.flipped === 0 && damager.bodyBytes <= afterBytes)) return;
    reported = true;
    process.stdout.write(`${JSON.stringify({ damage, flipped: damager.flipped, bodyBytes: damager.bodyBytes })}\n`);
  };
  const close = (): void => {
    report();
    client.destroy();
    upstream.destroy();
  };
  client.pipe(upstream);
  upstream.on('data', (chunk: Buffer) => {
    const out = damager.pass(chunk);
    if (out === undefined) return close();
    if (out.length > 0) client.write(out);
  });
  upstream.on('end', () => client.end());
  for (const socket of [client, upstream]) {
    socket.on('error', close);
    socket.on('close', close);
  }
}

export function runRelay(listenPort: number, targetPort: number, damage: Damage, afterBytes: number): Server {
  const server = createServer((client) => relay(client, targetPort, damage, afterBytes));
  server.listen(listenPort, '0.0.0.0');
  return server;
}

function main(argv: string[]): void {
  const [listen, target, damage, after] = argv;
  const ports = [Number(listen), Number(target)];
  if (ports.some((port) => !Number.isInteger(port) || port <= 0) || (damage !== 'flip' && damage !== 'truncate') || !/^\d+$/.test(after ?? '')) {
    process.stderr.write('usage: corrupting-relay.ts <listenPort> <targetPort> <flip|truncate> <afterBytes>\n');
    process.exit(2);
  }
  const server = runRelay(ports[0] as number, ports[1] as number, damage, Number(after));
  server.on('listening', () => process.stdout.write('listening\n'));
  server.on('error', (error) => {
    process.stderr.write(`relay: ${error.message}\n`);
    process.exit(1);
  });
  process.on('SIGTERM', () => process.exit(0));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) main(process.argv.slice(2));
