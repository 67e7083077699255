import { randomInt } from 'node:crypto';
import dnsPacket, { type Answer, type DecodedPacket, type RecordType } from 'dns-packet';
import { backoffDelay, pause, type BackoffPolicy } from '../retry.js';
import { exchangeTcp, exchangeUdp } from './dns-transport.js';
import { formatNameServer, type NameServer } from './nameserver.js';

export interface DnsClientOptions {
  readonly servers: readonly NameServer[];
  readonly timeoutMs: number;
  /** Rounds over all servers; a round that fails on every server waits with backoff. */
  readonly attempts: number;
  readonly backoff?: BackoffPolicy;
}

export interface DnsResponse {
  /** The fully qualified name that was asked. */
  readonly name: string;
  readonly type: RecordType;
  readonly rcode: 'NOERROR' | 'NXDOMAIN';
  readonly answers: readonly Answer[];
  readonly additionals: readonly Answer[];
  readonly server: NameServer;
}

/** Every try failed; the message names the question, each server and what it did. */
export class DnsLookupError extends Error {
  readonly failures: readonly string[];

  constructor(type: RecordType, name: string, failures: readonly string[]) {
    super(`failed to resolve ${type} ${name}: ${summarise(failures)}`);
    this.name = 'DnsLookupError';
    this.failures = failures;
  }
}

const RCODES: Record<number, string> = { 0: 'NOERROR', 1: 'FORMERR', 2: 'SERVFAIL', 3: 'NXDOMAIN', 4: 'NOTIMP', 5: 'REFUSED' };
const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 100, maxMs: 1_000 };

/**
 * A small stub resolver on dns-packet: UDP, TCP on truncation, rotation and
 * retries. It asks fully qualified names only: every name the agent needs is
 * built from its own settings, so a search list could only add wrong answers.
 */
export class DnsClient {
  readonly #options: DnsClientOptions;

  constructor(options: DnsClientOptions) {
    if (options.servers.length === 0) throw new Error('no nameserver configured: set DNS_SERVERS or fix RESOLV_CONF');
    this.#options = options;
  }

  /**
   * Asks one fully qualified name, rotating through servers for `attempts`
   * rounds; an aborted `signal` ends it at once with the signal's reason.
   */
  async query(name: string, type: RecordType, signal?: AbortSignal): Promise<DnsResponse> {
    const failures: string[] = [];
    const { servers, attempts, backoff = DEFAULT_BACKOFF } = this.#options;
    for (let round = 0; round < attempts; round += 1) {
      if (round > 0) await pause(backoffDelay(round - 1, backoff), signal);
      for (const server of servers) {
        try {
          return await this.#ask(server, name, type, signal);
        } catch (error) {
          signal?.throwIfAborted();
          failures.push(`${formatNameServer(server)} ${describe(error)}`);
        }
      }
    }
    throw new DnsLookupError(type, name, failures);
  }

  async #ask(server: NameServer, name: string, type: RecordType, signal: AbortSignal | undefined): Promise<DnsResponse> {
    const id = randomInt(0, 65_536);
    const query = dnsPacket.encode({
      type: 'query',
      id,
      flags: dnsPacket.RECURSION_DESIRED,
      questions: [{ type, class: 'IN', name }],
    });
    const exchange = { timeoutMs: this.#options.timeoutMs, signal };
    let reply = checkReply(decode(await exchangeUdp(server, query, exchange)), id, name);
    if (reply.flag_tc) {
      // Truncated: the whole answer only comes over TCP (many pods → big SRV sets).
      reply = checkReply(decode(await exchangeTcp(server, query, exchange)), id, name);
    }
    const rcode = RCODES[reply.flags === undefined ? -1 : reply.flags & 0xf] ?? 'unknown rcode';
    if (rcode !== 'NOERROR' && rcode !== 'NXDOMAIN') throw new Error(rcode);
    return {
      name,
      type,
      rcode,
      answers: reply.answers ?? [],
      additionals: reply.additionals ?? [],
      server,
    };
  }
}

class MalformedReply extends Error {}

function decode(buffer: Buffer): DecodedPacket {
  try {
    return dnsPacket.decode(buffer);
  } catch (error) {
    throw new MalformedReply(`malformed reply (${buffer.length} bytes: ${(error as Error).message})`);
  }
}

/** A reply to some other question, or not a reply at all, is as bad as garbage. */
function checkReply(reply: DecodedPacket, id: number, name: string): DecodedPacket {
  const question = reply.questions?.[0];
  if (reply.id !== id || !reply.flag_qr) throw new MalformedReply('malformed reply (wrong id or not a response)');
  if (question && question.name.toLowerCase() !== name.toLowerCase()) {
    throw new MalformedReply(`malformed reply (answers ${question.name})`);
  }
  return reply;
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') return 'refused the connection (nothing listens there)';
  return code ? `${code} (${error.message})` : error.message;
}

/** Collapses repeats: "198.18.0.2:53 SERVFAIL (×3)". */
function summarise(failures: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const failure of failures) counts.set(failure, (counts.get(failure) ?? 0) + 1);
  return [...counts].map(([failure, count]) => (count > 1 ? `${failure} (×${count})` : failure)).join('; ');
}
