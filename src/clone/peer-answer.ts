import type { StatusDocument } from '../http/status-document.js';

/**
 * The part of a peer's /status the init decision reads, checked field by field:
 * it comes from the network, so it is input like any other (a truncated answer,
 * another program on the port, an agent of another version). Fields a decision
 * does not read are not checked, so newer agents may add fields freely.
 */
export interface PeerAnswer {
  readonly pod: string;
  /** Absent from agents older than the set-bound answers. */
  readonly set: StatusDocument['set'] | undefined;
  readonly ready: boolean;
  readonly dataDir: string;
  readonly server: {
    readonly up: boolean;
    readonly flavor: 'mysql' | 'mariadb' | null;
    readonly gtidPosition: string | null;
  };
  readonly lagSeconds: number | undefined;
}

type Json = Record<string, unknown>;

/** Reads an answer; throws an Error naming the first field that is missing or of the wrong type. */
export function readPeerAnswer(value: unknown): PeerAnswer {
  const doc = object(value, 'the answer');
  const server = object(doc.server, 'server');
  return {
    pod: string(doc.pod, 'pod'),
    set: doc.set === undefined ? undefined : readSet(doc.set),
    ready: boolean(doc.ready, 'ready'),
    dataDir: string(doc.dataDir, 'dataDir'),
    server: {
      up: boolean(server.up, 'server.up'),
      flavor: oneOf(server.flavor, ['mysql', 'mariadb', null] as const, 'server.flavor'),
      gtidPosition: server.gtidPosition === null ? null : string(server.gtidPosition, 'server.gtidPosition'),
    },
    lagSeconds: readLag(doc.lag),
  };
}

function readSet(value: unknown): StatusDocument['set'] {
  const set = object(value, 'set');
  return { statefulSet: string(set.statefulSet, 'set.statefulSet'), service: string(set.service, 'set.service'), namespace: string(set.namespace, 'set.namespace') };
}

/** A known lag's seconds; undefined when the peer has no lag (a primary) or does not know it. */
function readLag(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const lag = object(value, 'lag');
  if (!boolean(lag.known, 'lag.known')) return undefined;
  const seconds = lag.seconds;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) throw new Error('lag.seconds is not a non-negative number');
  return seconds;
}

function object(value: unknown, what: string): Json {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} is not an object`);
  return value as Json;
}

function string(value: unknown, what: string): string {
  if (typeof value !== 'string') throw new Error(`${what} is not a string`);
  return value;
}

function boolean(value: unknown, what: string): boolean {
  if (typeof value !== 'boolean') throw new Error(`${what} is not true or false`);
  return value;
}

function oneOf<T>(value: unknown, allowed: readonly T[], what: string): T {
  if (!allowed.includes(value as T)) throw new Error(`${what} is not one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`);
  return value as T;
}
