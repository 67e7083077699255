import { createSocket } from 'node:dgram';
import { isIP, connect } from 'node:net';
import type { NameServer } from './nameserver.js';

/**
 * Raw DNS exchanges: one datagram, or one length-prefixed TCP message. Each has
 * a hard timeout; the socket is always closed. Decoding happens elsewhere.
 */

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
export function exchangeUdp(server: NameServer, query: Buffer, options: { timeoutMs: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const finish = (error: Error | undefined, reply?: Buffer) => {
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(reply as Buffer);
    };
    const timer = setTimeout(() => finish(new TransportTimeout('udp', options.timeoutMs)), options.timeoutMs);
    socket.on('error', (error) => finish(error));
    socket.on('message', (reply) => finish(undefined, reply));
    socket.connect(server.port, server.host, () => socket.send(query));
  });
}

/** DNS over TCP (RFC 1035 4.2.2): each message is preceded by its 2-byte length. */
export function exchangeTcp(server: NameServer, query: Buffer, options: { timeoutMs: number }): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: server.host, port: server.port });
    const chunks: Buffer[] = [];
    let received = 0;
    const finish = (error: Error | undefined, reply?: Buffer) => {
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply as Buffer);
    };
    const timer = setTimeout(() => finish(new TransportTimeout('tcp', options.timeoutMs)), options.timeoutMs);
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
