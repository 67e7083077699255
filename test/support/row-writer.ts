import type { Connection } from 'mysql2/promise';
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Inserts numbered rows one transaction at a time and remembers which ones the
 * server acknowledged, so a test can check that every acknowledged row reached
 * every pod. Errors (a restarting primary) are counted and retried, not fatal.
 */
export class RowWriter {
  readonly acknowledged: number[] = [];
  errors = 0;
  #next = 1;
  #running: Promise<void> | undefined;
  #stopped = false;

  constructor(
    private readonly connect: () => Promise<Connection>,
    private readonly table: string,
  ) {}

  start(): void {
    this.#running = this.#loop();
  }

  async stop(): Promise<number[]> {
    this.#stopped = true;
    await this.#running;
    return this.acknowledged;
  }

  async #loop(): Promise<void> {
    let connection: Connection | undefined;
    while (!this.#stopped) {
      try {
        connection ??= await this.connect();
        const id = this.#next;
        await connection.query(`INSERT INTO ${this.table} (id, note) VALUES (?, ?)`, [id, `row ${id}`]);
        this.acknowledged.push(id);
        this.#next += 1;
        await sleep(2);
      } catch {
        this.errors += 1;
        connection?.destroy();
        connection = undefined;
        // An insert whose acknowledgement was lost may or may not have landed: skip its id.
        this.#next += 1;
        await sleep(100);
      }
    }
    await connection?.end().catch(() => undefined);
  }
}
