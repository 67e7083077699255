import { createConnection, type Connection } from 'mysql2/promise';
import type { Secret } from '../secret.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  readonly user: string;
  readonly password: Secret;
}

/** A connection with short timeouts: the agent must notice a hung server, not hang with it. */
export function connectToServer(address: ServerAddress): Promise<Connection> {
  return createConnection({
    host: address.host,
    port: address.port,
    user: address.user,
    password: address.password.reveal(),
    connectTimeout: 3_000,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
  });
}
