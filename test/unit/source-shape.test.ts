import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

/** The house rules of ARCHITECTURE.md, "Source layout": small files, small functions. */
const MAX_FILE_LINES = 250;
const MAX_FUNCTION_LINES = 60;
const SRC = new URL('../../src', import.meta.url).pathname;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

function longFunctions(path: string): string[] {
  const text = readFileSync(path, 'utf8');
  const file = ts.createSourceFile(path, text, ts.ScriptTarget.Latest, true);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body !== undefined) {
      const start = file.getLineAndCharacterOfPosition(node.getStart()).line;
      const end = file.getLineAndCharacterOfPosition(node.getEnd()).line;
      const name = node.name?.getText() ?? '(anonymous)';
      if (end - start + 1 > MAX_FUNCTION_LINES) found.push(`${relative(SRC, path)}:${start + 1} ${name} has ${end - start + 1} lines`);
    }
    ts.forEachChild(node, visit);
  };
  visit(file);
  return found;
}

describe('source shape', () => {
  const files = sourceFiles(SRC);

  it(`no file in src/ is over ${MAX_FILE_LINES} lines`, () => {
    const long = files
      .map((path) => ({ path: relative(SRC, path), lines: readFileSync(path, 'utf8').trimEnd().split('\n').length }))
      .filter((file) => file.lines > MAX_FILE_LINES);
    expect(long).toEqual([]);
  });

  it(`no function in src/ is over ${MAX_FUNCTION_LINES} lines`, () => {
    expect(files.flatMap(longFunctions)).toEqual([]);
  });
});
