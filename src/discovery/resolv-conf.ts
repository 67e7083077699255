import { parseNameServer, type NameServer } from './nameserver.js';

/** What resolv.conf(5) says, as far as a stub resolver needs it. */
export interface ResolvConf {
  readonly nameservers: readonly NameServer[];
  readonly search: readonly string[];
  readonly ndots: number;
}

/** glibc's limits: at most 3 nameservers are used, ndots is capped at 15. */
const MAX_NAMESERVERS = 3;
const MAX_NDOTS = 15;

/** Pure parser; unknown lines and options are ignored, as the C library does. */
export function parseResolvConf(text: string): ResolvConf {
  const nameservers: NameServer[] = [];
  let search: string[] = [];
  let ndots = 1;
  for (const rawLine of text.split('\n')) {
    const line = rawLine.replace(/[#;].*$/, '').trim();
    const [keyword, ...args] = line.split(/\s+/);
    if (keyword === 'nameserver' && args[0] !== undefined && nameservers.length < MAX_NAMESERVERS) {
      const server = tryParseNameServer(args[0]);
      if (server) nameservers.push(server);
    } else if (keyword === 'search' || keyword === 'domain') {
      // The last search or domain line wins, as in glibc.
      search = args.map((domain) => domain.replace(/\.$/, '').toLowerCase()).filter(Boolean);
    } else if (keyword === 'options') {
      ndots = parseNdots(args) ?? ndots;
    }
  }
  return { nameservers, search, ndots };
}

function tryParseNameServer(text: string): NameServer | undefined {
  try {
    return parseNameServer(text);
  } catch {
    return undefined;
  }
}

function parseNdots(options: readonly string[]): number | undefined {
  let ndots: number | undefined;
  for (const option of options) {
    const match = /^ndots:(\d+)$/.exec(option);
    if (match) ndots = Math.min(Number(match[1]), MAX_NDOTS);
  }
  return ndots;
}

/**
 * The names to try for `name`, in order, per resolv.conf(5): a name ending in a
 * dot is absolute; one with at least `ndots` dots is tried as is first, then
 * with each search domain; a shorter one gets the search domains first.
 */
export function candidateNames(name: string, conf: Pick<ResolvConf, 'search' | 'ndots'>): string[] {
  if (name.endsWith('.')) return [name.slice(0, -1)];
  const searched = conf.search.map((domain) => `${name}.${domain}`);
  const dots = name.split('.').length - 1;
  return dots >= conf.ndots ? [name, ...searched] : [...searched, name];
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
