import { parseNameServer, type NameServer } from './nameserver.js';

/** What resolv.conf(5) says, as far as a stub resolver needs it. */
export interface ResolvConf {
  readonly nameservers: readonly NameServer[];
  /** Only the first entry is used: the kubelet puts `<namespace>.svc.<domain>` there. */
  readonly search: readonly string[];
}

/** glibc's limit: at most 3 nameservers are used. */
const MAX_NAMESERVERS = 3;

/** Pure parser; unknown lines and options are ignored, as the C library does. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: NameServer[] = [];
  let search: string[] = [];
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/[#;].*$/, '').trim();
    const [keyword, ...args] = line.split(/\s+/);
    if (keyword === 'nameserver' && args[0] !== undefined && nameservers.length < MAX_NAMESERVERS) {
      const server = tryParseNameServer(args[0]);
      if (server) nameservers.push(server);
    } else if (keyword === 'search' || keyword === 'domain') {
      // The last search or domain line wins, as in glibc.
      search = args.map((domain) => domain.replace(/\.$/, '').toLowerCase()).filter(Boolean);
    }
  }
  return { nameservers, search };
}

function tryParseNameServer(text: string): NameServer | undefined {
  try {
    return parseNameServer(text);
  } catch {
    return undefined;
  }
}

/**
 * The pod's namespace as the kubelet's search list implies it: the first
 * search domain is `<namespace>.svc.<cluster-domain>`.
 */
export function namespaceFromSearch(search: readonly string[], clusterDomain: string): string | undefined {
  const suffix = `.svc.${clusterDomain}`;
  const first = search[0];
  if (first === undefined || !first.endsWith(suffix)) return undefined;
  const namespace = first.slice(0, -suffix.length);
  return namespace.length > 0 && !namespace.includes('.') ? namespace : undefined;
}
