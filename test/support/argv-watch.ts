import { readdirSync, readFileSync } from 'node:fs';

/**
 * Reads every process's argv (`/proc/<pid>/cmdline`, what `ps` shows to any
 * user) every few milliseconds and records those that contain a secret.
 */
export class ArgvWatch {
  readonly leaks: string[] = [];
  scans = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly secrets: readonly string[]) {}

  start(intervalMs = 10): void {
    this.#timer = setInterval(() => this.scan(), intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  scan(): void {
    this.scans += 1;
    for (const pid of readdirSync('/proc').filter((name) => /^\d+$/.test(name))) {
      let argv: string;
      try {
        argv = readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ');
      } catch {
        continue; // gone meanwhile
      }
      if (this.secrets.some((secret) => argv.includes(secret))) this.leaks.push(`${pid}: ${argv.slice(0, 200)}`);
    }
  }
}
