import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { createServer, type Server, type Socket } from 'node:net';
import dnsPacket, { type Answer, type DecodedPacket, type Question } from 'dns-packet';

/** What the fake server does with one question. */
export type Behaviour =
  | { readonly kind: 'answer'; readonly answers: Answer[]; readonly additionals?: Answer[]; readonly truncateUdp?: boolean }
  | { readonly kind: 'rcode'; readonly rcode: 'NXDOMAIN' | 'SERVFAIL' | 'REFUSED' }
  | { readonly kind: 'garbage' }
  | { readonly kind: 'wrong-id' }
  | { readonly kind: 'silence' };

export interface ReceivedQuery {
  readonly protocol: 'udp' | 'tcp';
  readonly name: string;
  readonly type: string;
}

const RCODE_NUMBER = { NXDOMAIN: 3, SERVFAIL: 2, REFUSED: 5 } as const;

/**
 * A DNS server on loopback built from dns-packet, answering UDP and TCP on the
 * same port with whatever a test scripts: records, truncation, error codes,
 * garbage or silence. It records every query it receives.
 */
export class FakeDnsServer {
  readonly received: ReceivedQuery[] = [];
  behave: (question: Question) => Behaviour = () => ({ kind: 'rcode', rcode: 'REFUSED' });
  #udp: UdpSocket | undefined;
  #tcp: Server | undefined;
  #port = 0;

  get port(): number {
    return this.#port;
  }

  async start(): Promise<void> {
    this.#udp = createSocket('udp4');
    await new Promise<void>((resolve) => this.#udp?.bind(0, '127.0.0.1', resolve));
    this.#port = this.#udp.address().port;
    this.#udp.on('message', (message, remote) => {
      const reply = this.#reply(message, 'udp');
      if (reply) this.#udp?.send(reply, remote.port, remote.address);
    });
    this.#tcp = createServer((socket) => this.#serveTcp(socket));
    await new Promise<void>((resolve, reject) => {
      this.#tcp?.once('error', reject);
      this.#tcp?.listen(this.#port, '127.0.0.1', resolve);
    });
  }

  async stop(): Promise<void> {
    this.#udp?.close();
    await new Promise<void>((resolve) => (this.#tcp ? this.#tcp.close(() => resolve()) : resolve()));
  }

  #serveTcp(socket: Socket): void {
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      buffered = Buffer.concat([buffered, chunk]);
      if (buffered.length < 2 || buffered.length < 2 + buffered.readUInt16BE(0)) return;
      const reply = this.#reply(buffered.subarray(2, 2 + buffered.readUInt16BE(0)), 'tcp');
      if (!reply) return;
      const length = Buffer.alloc(2);
      length.writeUInt16BE(reply.length);
      socket.end(Buffer.concat([length, reply]));
    });
    socket.on('error', () => socket.destroy());
  }

  #reply(message: Buffer, protocol: 'udp' | 'tcp'): Buffer | undefined {
    const query: DecodedPacket = dnsPacket.decode(message);
    const question = query.questions?.[0];
    if (!question) return undefined;
    this.received.push({ protocol, name: question.name, type: question.type });
    const behaviour = this.behave(question);
    const base = { type: 'response' as const, id: query.id ?? 0, questions: [question] };
    switch (behaviour.kind) {
      case 'silence':
        return undefined;
      case 'garbage':
        return Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00]);
      case 'wrong-id':
        return dnsPacket.encode({ ...base, id: ((query.id ?? 0) + 1) % 65_536, flags: dnsPacket.RECURSION_AVAILABLE });
      case 'rcode':
        return dnsPacket.encode({ ...base, flags: RCODE_NUMBER[behaviour.rcode] });
      case 'answer': {
        if (protocol === 'udp' && behaviour.truncateUdp) {
          return dnsPacket.encode({ ...base, flags: dnsPacket.TRUNCATED_RESPONSE });
        }
        return dnsPacket.encode({ ...base, answers: behaviour.answers, additionals: behaviour.additionals ?? [] });
      }
    }
  }
}
