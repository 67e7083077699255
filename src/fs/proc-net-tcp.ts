/**
 * The kernel's table of this network namespace's TCP sockets, as
 * /proc/net/tcp and /proc/net/tcp6 print it: readable by any process in the
 * namespace, no capability needed. The sidecar shares the pod's namespace with
 * the server, so it sees the server's sockets (ARCHITECTURE.md, "Replication").
 */

export interface TcpEndpoint {
  /** Dotted IPv4 (an IPv4-mapped IPv6 address is given as IPv4), or IPv6 as 8 colon-separated hex groups. */
  readonly address: string;
  readonly port: number;
}

export interface TcpSocket {
  readonly local: TcpEndpoint;
  readonly remote: TcpEndpoint;
  /** The kernel's state number: 1 is ESTABLISHED. */
  readonly state: number;
  /** Bytes sent or queued that the peer has not acknowledged (tx_queue). */
  readonly unacknowledgedBytes: number;
  /** Retransmission timeouts in a row without an acknowledgement (retrnsmt); 0 once the peer acknowledges. */
  readonly retransmits: number;
}

export const TCP_ESTABLISHED = 1;

/** /proc prints each 32-bit word of an address in the host's byte order: little-endian on the machines we run on. */
function wordBytes(hex: string): number[] {
  const bytes = [0, 2, 4, 6].map((at) => Number.parseInt(hex.slice(at, at + 2), 16));
  return bytes.reverse();
}

function decodeAddress(hex: string): string {
  if (hex.length === 8) return wordBytes(hex).join('.');
  const bytes = [0, 8, 16, 24].flatMap((at) => wordBytes(hex.slice(at, at + 8)));
  const mapped = bytes.slice(0, 10).every((b) => b === 0) && bytes[10] === 0xff && bytes[11] === 0xff;
  if (mapped) return bytes.slice(12).join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return groups.join(':');
}

function decodeEndpoint(text: string): TcpEndpoint | undefined {
  const match = /^([0-9A-Fa-f]{8}|[0-9A-Fa-f]{32}):([0-9A-Fa-f]{4})$/.exec(text);
  if (match === null) return undefined;
  return { address: decodeAddress(match[1] ?? ''), port: Number.parseInt(match[2] ?? '', 16) };
}

/** One line of the table; undefined for the header or anything not shaped like a socket line. */
function parseLine(line: string): TcpSocket | undefined {
  const fields = line.trim().split(/\s+/);
  // sl local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid timeout inode …
  const [slot, localText, remoteText, stateText, queues, , retransmitsText] = fields;
  if (slot === undefined || !/^\d+:$/.test(slot)) return undefined;
  const local = decodeEndpoint(localText ?? '');
  const remote = decodeEndpoint(remoteText ?? '');
  const txQueue = /^([0-9A-Fa-f]{8}):[0-9A-Fa-f]{8}$/.exec(queues ?? '')?.[1];
  if (local === undefined || remote === undefined || txQueue === undefined || !/^[0-9A-Fa-f]+$/.test(retransmitsText ?? '')) return undefined;
  return {
    local,
    remote,
    state: Number.parseInt(stateText ?? '', 16),
    unacknowledgedBytes: Number.parseInt(txQueue, 16),
    retransmits: Number.parseInt(retransmitsText ?? '', 16),
  };
}

/** Every socket line of a /proc/net/tcp or tcp6 text. */
export function parseProcNetTcp(text: string): TcpSocket[] {
  return text.split('\n').flatMap((line) => parseLine(line) ?? []);
}
