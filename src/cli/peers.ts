import type { Config } from '../config.js';
import { DnsClient } from '../discovery/dns-client.js';
import { discoverPeers, type Discovery } from '../discovery/discover.js';
import type { Logger } from '../log.js';
import { formatTable } from './table.js';

/** `mysql-sts-agent peers`: one discovery, printed as a table or JSON. */
export async function runPeers(input: { config: Config; logger: Logger; json: boolean; write: (text: string) => void }): Promise<void> {
  const { config } = input;
  const discovery = await discoverPeers({
    identity: config.identity,
    client: new DnsClient(config.dns),
    portName: config.dns.portName,
    mysqlPort: config.ports.mysql,
  });
  for (const target of discovery.ignored) {
    input.logger.warn({ target }, 'SRV target is not a pod of this StatefulSet; ignored');
  }
  input.write(input.json ? `${JSON.stringify(discovery, null, 2)}\n` : formatPeers(discovery));
}

export function formatPeers(discovery: Discovery): string {
  const rows = discovery.peers.map((peer) => [
    peer.self ? `${peer.name} (self)` : peer.name,
    String(peer.ordinal),
    peer.address ?? '-',
    String(peer.port),
  ]);
  const how =
    discovery.source === 'srv'
      ? `SRV ${discovery.asked}`
      : discovery.source === 'a-record'
        ? `A record fallback (no SRV records at ${discovery.asked})`
        : `nothing (no SRV records at ${discovery.asked} and no previous pod)`;
  const summary = `# ${discovery.peers.length} pod(s) from ${how}, answered by ${discovery.answeredBy}`;
  return `${formatTable(['NAME', 'ORDINAL', 'ADDRESS', 'PORT'], rows)}\n${summary}\n`;
}
