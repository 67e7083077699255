import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';

/**
 * Reading the agent's own files (ARCHITECTURE.md, "The data directory"): each
 * one is checked against its shape, so a truncated, emptied or overwritten file
 * is reported as damaged (with what to do) instead of crashing its reader or
 * passing garbage on.
 */
export type StateFileRead<T> =
  | { readonly kind: 'absent' }
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'damaged'; readonly file: string; readonly problem: string };

/** A file found damaged: its name, what is wrong, and what the agent does about it. */
export interface DamagedFile {
  readonly file: string;
  readonly problem: string;
  readonly fix: string;
}

/** What a shape check throws: the path into the value and what was expected there. */
export class ShapeError extends Error {}

export type Shape<T> = (value: unknown) => T;

export async function readStateFile<T>(path: string, shape: Shape<T>): Promise<StateFileRead<T>> {
  const text = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (text === undefined) return { kind: 'absent' };
  try {
    return { kind: 'ok', value: shape(JSON.parse(text)) };
  } catch (error) {
    const problem = error instanceof ShapeError ? error.message : `not JSON (${text.length === 0 ? 'empty' : (error as Error).message})`;
    return { kind: 'damaged', file: basename(path), problem };
  }
}

/** The value read, or undefined when the file is absent or damaged. */
export function valueOf<T>(read: StateFileRead<T>): T | undefined {
  return read.kind === 'ok' ? read.value : undefined;
}

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
