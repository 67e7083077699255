import { isIP } from 'node:net';

export interface NameServer {
  readonly host: string;
  readonly port: number;
}

/** `198.18.0.2`, `198.18.0.2:5353`, `::1` or `[::1]:53`; throws on anything else. */
export function parseNameServer(text: string): NameServer {
  const trimmed = text.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(trimmed);
  if (bracketed) return checked(bracketed[1] ?? '', bracketed[2], text);
  if (isIP(trimmed) === 6) return checked(trimmed, undefined, text);
  const [host = '', port, ...rest] = trimmed.split(':');
  if (rest.length > 0) throw new Error(`nameserver ${JSON.stringify(text)} is not host[:port]`);
  return checked(host, port, text);
}

function checked(host: string, port: string | undefined, text: string): NameServer {
  if (isIP(host) === 0) {
    throw new Error(`nameserver ${JSON.stringify(text)} is not an IP address (host[:port], IPv6 in brackets)`);
  }
  const portNumber = port === undefined ? 53 : Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65_535) {
    throw new Error(`nameserver ${JSON.stringify(text)} has a bad port`);
  }
  return { host, port: portNumber };
}

export function formatNameServer(server: NameServer): string {
  return isIP(server.host) === 6 ? `[${server.host}]:${server.port}` : `${server.host}:${server.port}`;
}
