/**
 * Checks of JSON read from outside the process (the agent's own files, a
 * peer's /status): each accessor returns the typed value or throws a
 * ShapeError naming the key and what was expected, so no reader takes
 * `JSON.parse` on trust.
 */

/** What a shape check throws: the key and what was expected there. */
export class ShapeError extends Error {}

export type Shape<T> = (value: unknown) => T;

export function record(value: unknown, what: string): Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ShapeError(`${what} is not an object`);
  return value as Record<string, unknown>;
}

export function text(object: Record<string, unknown>, key: string, options: { empty?: boolean } = {}): string {
  const value = object[key];
  if (typeof value !== 'string' || (value === '' && options.empty !== true)) throw new ShapeError(`"${key}" is not a non-empty string`);
  return value;
}

export function optionalText(object: Record<string, unknown>, key: string): string | undefined {
  return object[key] === undefined || object[key] === null ? undefined : text(object, key);
}

export function count(object: Record<string, unknown>, key: string): number {
  const value = object[key];
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) throw new ShapeError(`"${key}" is not a number ≥ 0`);
  return value;
}

export function oneOf<T extends string>(object: Record<string, unknown>, key: string, values: readonly T[]): T {
  const value = object[key];
  if (!values.includes(value as T)) throw new ShapeError(`"${key}" is not one of ${values.join(', ')}`);
  return value as T;
}

export function flag(object: Record<string, unknown>, key: string): boolean {
  const value = object[key];
  if (typeof value !== 'boolean') throw new ShapeError(`"${key}" is not true or false`);
  return value;
}
