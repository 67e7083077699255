import { inspect } from 'node:util';

/**
 * A secret value that cannot leak by accident: it prints, serialises and
 * inspects as `[redacted]`. Only `reveal()` gives the text, and only code that
 * hands it to a server connection or a 0600 option file should call it.
 */
export class Secret {
  readonly #value: string;
  /** Where it came from (variable or file name), safe to log. */
  readonly source: string;

  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
  }

  reveal(): string {
    return this.#value;
  }

  toString(): string {
    return '[redacted]';
  }

  toJSON(): string {
    return '[redacted]';
  }

  [inspect.custom](): string {
    return `Secret(${this.source})`;
  }
}
