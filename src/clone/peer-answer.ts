import type { StatusDocument } from '../http/status-document.js';
import { count, flag, oneOf, record, text } from '../json-shape.js';

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
  /** The GTID position its clone recorded (`clone.coordinates.gtid`), what a pod whose server is down holds at least. */
  readonly cloneGtid: string | null;
}

/** Reads an answer; throws a ShapeError naming the first field that is missing or of the wrong type. */
export function readPeerAnswer(value: unknown): PeerAnswer {
  const doc = record(value, 'the answer');
  const server = record(doc.server, 'server');
  const flavor = server.flavor === null ? null : oneOf(server, 'flavor', ['mysql', 'mariadb'] as const);
  return {
    pod: text(doc, 'pod'),
    set: doc.set === undefined ? undefined : readSet(doc.set),
    ready: flag(doc, 'ready'),
    dataDir: text(doc, 'dataDir'),
    server: {
      up: flag(server, 'up'),
      flavor,
      // An empty GTID position is a real one (a server that applied nothing yet).
      gtidPosition: server.gtidPosition === null ? null : text(server, 'gtidPosition', { empty: true }),
    },
    lagSeconds: readLag(doc.lag),
    cloneGtid: readCloneGtid(doc.clone),
  };
}

function readCloneGtid(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  const coordinates = record(record(value, 'clone').coordinates, 'clone.coordinates');
  return coordinates.gtid === null || coordinates.gtid === undefined ? null : text(coordinates, 'gtid', { empty: true });
}

function readSet(value: unknown): StatusDocument['set'] {
  const set = record(value, 'set');
  return { statefulSet: text(set, 'statefulSet'), service: text(set, 'service'), namespace: text(set, 'namespace') };
}

/** A known lag's seconds; undefined when the peer has no lag (a primary) or does not know it. */
function readLag(value: unknown): number | undefined {
  if (value === null || value === undefined) return undefined;
  const lag = record(value, 'lag');
  return flag(lag, 'known') ? count(lag, 'seconds') : undefined;
}
