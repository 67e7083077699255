import { createSocket } from 'node:dgram';
import { isIP, connect } from 'node:net';
import type { NameServer } from './nameserver.js';

/**
 * Raw DNS exchanges: one datagram, or one length-prefixed TCP message. Each has
 * a hard timeout and ends early when `signal` aborts (with its reason); the
 * socket is always closed. Decoding happens elsewhere.
 */

export interface ExchangeOptions {
  readonly timeoutMs: number;
  readonly signal?: AbortSignal | undefined;
}

/** Settles an exchange once: on a reply, an error, the timeout or an abort, always closing the socket. */
function settleOnce(
  options: ExchangeOptions,
  exchange: { protocol: 'udp' | 'tcp'; close: () => void; resolve: (reply: Buffer) => void; reject: (error: unknown) => void },
): (error: unknown, reply?: Buffer) => void {
  const onAbort = () => finish(options.signal?.reason);
  const timer = setTimeout(() => finish(new TransportTimeout(exchange.protocol, options.timeoutMs)), options.timeoutMs);
  options.signal?.addEventListener('abort', onAbort, { once: true });
  let settled = false;
  function finish(error: unknown, reply?: Buffer): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onAbort);
    exchange.close();
    if (error !== undefined) exchange.reject(error);
    else exchange.resolve(reply as Buffer);
  }
  return finish;
}

export class TransportTimeout extends Error {
  constructor(protocol: 'udp' | 'tcp', timeoutMs: number) {
    super(`timed out (no ${protocol.toUpperCase()} reply within ${timeoutMs} ms)`);
    this.name = 'TransportTimeout';
  }
}

/**
 * Sends one UDP query from a connected socket, so only datagrams from that
 * server arrive (and an ICMP "port unreachable" surfaces as ECONNREFUSED
 * instead of a timeout). A fresh socket per try means a late answer to an
 * earlier try can never be taken for this one.
 */
export function exchangeUdp(server: NameServer, query: Buffer, options: ExchangeOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const finish = settleOnce(options, { protocol: 'udp', close: () => socket.close(), resolve, reject });
    socket.on('error', (error) => finish(error));
    socket.on('message', (reply) => finish(undefined, reply));
    socket.connect(server.port, server.host, () => socket.send(query));
  });
}

/** DNS over TCP (RFC 1035 4.2.2): each message is preceded by its 2-byte length. */
export function exchangeTcp(server: NameServer, query: Buffer, options: ExchangeOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    options.signal?.throwIfAborted();
    const socket = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = settleOnce(options, { protocol: 'tcp', close: () => socket.destroy(), resolve, reject });
    socket.on('error', (error) => finish(error));
    socket.on('connect', () => {
      const length = Buffer.alloc(2);
      length.writeUInt16BE(query.length);
      socket.write(Buffer.concat([length, query]));
    });
    socket.on('data', (chunk) => {
      chunks.push(chunk);
      received += chunk.length;
      const all = Buffer.concat(chunks, received);
      if (all.length >= 2 && all.length >= 2 + all.readUInt16BE(0)) {
        finish(undefined, all.subarray(2, 2 + all.readUInt16BE(0)));
      }
    });
    socket.on('end', () => finish(new Error('closed the TCP connection before a full reply')));
  });
}
