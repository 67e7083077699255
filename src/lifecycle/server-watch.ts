import type { Connection } from 'mysql2/promise';
import type { Logger } from '../log.js';
import { connectToServer, type ServerAddress } from '../mysql/connection.js';
import { readServerState, type ServerState } from '../mysql/server-state.js';

export interface ServerSnapshot {
  readonly up: boolean;
  readonly state: ServerState | undefined;
  readonly error: string | undefined;
  readonly checkedAt: Date | undefined;
}

/**
 * Keeps one connection to the local server and refreshes what it knows about
 * it on a timer, so probes and /status read memory, never run SQL. Checks
 * never overlap; a failed one drops the connection and the next reconnects.
 */
export class ServerWatch {
  #snapshot: ServerSnapshot = { up: false, state: undefined, error: 'not checked yet', checkedAt: undefined };
  #connection: Connection | undefined;
  #timer: NodeJS.Timeout | undefined;
  #stopped = false;
  readonly #address: ServerAddress;
  readonly #logger: Logger;
  readonly #intervalMs: number;

  constructor(input: { address: ServerAddress; logger: Logger; intervalMs: number }) {
    this.#address = input.address;
    this.#logger = input.logger;
    this.#intervalMs = input.intervalMs;
  }

  get snapshot(): ServerSnapshot {
    return this.#snapshot;
  }

  start(): void {
    const tick = async () => {
      await this.check();
      if (!this.#stopped) this.#timer = setTimeout(tick, this.#intervalMs);
    };
    void tick();
  }

  async check(): Promise<ServerSnapshot> {
    const wasUp = this.#snapshot.up;
    try {
      this.#connection ??= await connectToServer(this.#address);
      const state = await readServerState(this.#connection);
      this.#snapshot = { up: true, state, error: undefined, checkedAt: new Date() };
      if (!wasUp) this.#logger.info({ version: state.versionText, gtid: state.gtidPosition }, 'server answers');
    } catch (error) {
      const message = (error as Error).message;
      this.#snapshot = { up: false, state: this.#snapshot.state, error: message, checkedAt: new Date() };
      if (wasUp) this.#logger.warn({ error: message }, 'server stopped answering');
      this.#connection?.destroy();
      this.#connection = undefined;
    }
    return this.#snapshot;
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#timer);
    await this.#connection?.end().catch(() => undefined);
    this.#connection = undefined;
  }
}
