import { readFile } from 'node:fs/promises';
import { basename } from 'node:path';
import { ShapeError, type Shape } from '../json-shape.js';

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
