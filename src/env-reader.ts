import { readFileSync } from 'node:fs';
import { isAbsolute } from 'node:path';
import { systemErrorCode } from './errors.js';
import { Secret } from './secret.js';
import { defaultOf, type SecretName, type SettingName } from './settings.js';

/**
 * Reads settings from an environment, collecting every problem instead of
 * stopping at the first, so one start-up reports all bad variables at once.
 * Each reader returns a usable fallback after recording a problem.
 */
export class EnvReader {
  readonly problems: string[] = [];
  readonly #env: NodeJS.ProcessEnv;

  constructor(env: NodeJS.ProcessEnv) {
    this.#env = env;
  }

  /** The raw value, or the default; empty counts as unset. */
  raw(name: SettingName): string | undefined {
    const value = this.#env[name];
    return value === undefined || value === '' ? defaultOf(name) : value;
  }

  problem(name: string, value: string | undefined, expected: string): void {
    const shown = value === undefined ? 'unset' : `=${JSON.stringify(value)}`;
    this.problems.push(`${name}${shown === 'unset' ? ' is unset' : shown}: ${expected}`);
  }

  string(name: SettingName, check?: { test: (value: string) => boolean; expected: string }): string {
    const value = this.raw(name) ?? '';
    if (check && !check.test(value)) this.problem(name, value, check.expected);
    return value;
  }

  optional(name: SettingName): string | undefined {
    return this.raw(name);
  }

  int(name: SettingName, min: number, max: number): number {
    const value = this.raw(name);
    const parsed = value !== undefined && /^-?\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
    if (!Number.isSafeInteger(parsed) || parsed < min || parsed > max) {
      this.problem(name, value, `expected an integer from ${min} to ${max}`);
      return min;
    }
    return parsed;
  }

  port(name: SettingName): number {
    return this.int(name, 1, 65_535);
  }

  oneOf<T extends string>(name: SettingName, values: readonly T[]): T {
    const value = this.raw(name);
    if (value !== undefined && (values as readonly string[]).includes(value)) return value as T;
    this.problem(name, value, `expected one of ${values.join(', ')}`);
    return values[0] as T;
  }

  absolutePath(name: SettingName): string {
    return this.string(name, { test: isAbsolute, expected: 'expected an absolute path' });
  }

  /**
   * A secret from `NAME` or from the file `NAME_FILE` (a mounted Secret).
   * Setting both is ambiguous and reported; a trailing newline in the file is dropped.
   * The value never appears in a problem message.
   */
  secret(name: SecretName): Secret | undefined {
    const fileVariable = `${name}_FILE`;
    const direct = this.#env[name];
    const file = this.#env[fileVariable];
    if (direct && file) {
      this.problems.push(`${name} and ${fileVariable} are both set: set only one`);
      return undefined;
    }
    if (file) return this.#secretFromFile(fileVariable, file);
    return direct ? new Secret(direct, name) : undefined;
  }

  #secretFromFile(variable: string, path: string): Secret | undefined {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (error) {
      const code = systemErrorCode(error);
      this.problems.push(`${variable}=${JSON.stringify(path)}: cannot read the file (${code}): mount the Secret there`);
      return undefined;
    }
    const value = text.replace(/\r?\n$/, '');
    if (value.length === 0) {
      this.problems.push(`${variable}=${JSON.stringify(path)}: the file is empty`);
      return undefined;
    }
    return new Secret(value, variable);
  }
}
