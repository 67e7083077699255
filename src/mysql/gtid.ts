import type { Flavor } from './server-version.js';

/**
 * GTID positions of both flavours, as far as comparing peers needs them.
 * MariaDB: a list of `domain-server-seq` (one per domain, seq grows per domain).
 * MySQL: a set of `uuid:interval[:interval…]`, intervals `a-b` or `a`.
 */

/** MariaDB: the highest seq_no per domain. */
export function parseMariaDbGtidList(text: string): Map<number, { serverId: number; seq: number }> {
  const byDomain = new Map<number, { serverId: number; seq: number }>();
  for (const part of splitList(text)) {
    const match = /^(\d+)-(\d+)-(\d+)$/.exec(part);
    if (!match) throw new Error(`GTID ${JSON.stringify(part)} is not domain-server-seq`);
    const domain = Number(match[1]);
    const entry = { serverId: Number(match[2]), seq: Number(match[3]) };
    const known = byDomain.get(domain);
    if (known === undefined || entry.seq > known.seq) byDomain.set(domain, entry);
  }
  return byDomain;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** MySQL 8.3+ tagged GTIDs: `uuid:tag:1-5` applies the tag to the intervals after it. */
const TAG = /^[a-z_][a-z0-9_]{0,31}$/i;

/** MySQL: intervals per source (`uuid` or `uuid:tag`), as written (not merged). */
export function parseMySqlGtidSet(text: string): Map<string, Array<readonly [number, number]>> {
  const bySource = new Map<string, Array<readonly [number, number]>>();
  for (const part of splitList(text)) {
    const [uuid = '', ...rest] = part.split(':');
    if (!UUID.test(uuid) || rest.length === 0) throw new Error(`GTID set member ${JSON.stringify(part)} is not uuid:interval`);
    let source = uuid.toLowerCase();
    for (const item of rest) {
      if (TAG.test(item)) {
        source = `${uuid.toLowerCase()}:${item.toLowerCase()}`;
        continue;
      }
      const match = /^(\d+)(?:-(\d+))?$/.exec(item);
      const from = Number(match?.[1]);
      const to = Number(match?.[2] ?? match?.[1]);
      if (!match || to < from) throw new Error(`GTID interval ${JSON.stringify(item)} in ${JSON.stringify(part)} is not a or a-b with a <= b`);
      const list = bySource.get(source) ?? [];
      list.push([from, to]);
      bySource.set(source, list);
    }
  }
  return bySource;
}

/**
 * How many transactions a position stands for: comparable between pods of one
 * set (they share their history), so the larger one is the more advanced.
 */
export function gtidProgress(text: string, flavor: Flavor): number {
  if (flavor === 'mariadb') {
    let total = 0;
    for (const { seq } of parseMariaDbGtidList(text).values()) total += seq;
    return total;
  }
  let total = 0;
  for (const intervals of parseMySqlGtidSet(text).values()) {
    for (const [from, to] of intervals) total += to - from + 1;
  }
  return total;
}

/**
 * Whether every transaction of `inner` is in `outer`. MariaDB: per domain, by
 * the highest seq_no (gtid_strict_mode keeps a domain's seq_nos increasing);
 * MySQL: every interval of each source covered by `outer`'s intervals.
 */
export function gtidContains(outer: string, inner: string, flavor: Flavor): boolean {
  if (flavor === 'mariadb') {
    const have = parseMariaDbGtidList(outer);
    return [...parseMariaDbGtidList(inner)].every(([domain, { seq }]) => (have.get(domain)?.seq ?? 0) >= seq);
  }
  const have = parseMySqlGtidSet(outer);
  return [...parseMySqlGtidSet(inner)].every(([source, intervals]) => intervals.every(([from, to]) => covers(have.get(source) ?? [], from, to)));
}

function covers(intervals: ReadonlyArray<readonly [number, number]>, from: number, to: number): boolean {
  let next = from;
  for (const [a, b] of [...intervals].sort((x, y) => x[0] - y[0])) {
    if (a > next) break;
    next = Math.max(next, b + 1);
  }
  return next > to;
}

function splitList(text: string): string[] {
  return text
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part.length > 0);
}
