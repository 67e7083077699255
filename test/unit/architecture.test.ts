import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const DOC = join(ROOT, 'src', 'ARCHITECTURE.md');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith('.ts') ? [path] : [];
  });
}

/** Citations of the document by section title in comments, possibly broken across comment lines. */
function citations(text: string): string[] {
  const flat = text.replace(/\n\s*(\*|\/\/)\s*/g, ' ');
  return [...flat.matchAll(/ARCHITECTURE\.md,\s+"([^"]+)"/g)].map((match) => match[1] ?? '');
}

describe('the architecture document', () => {
  const headings = new Set(
    readFileSync(DOC, 'utf8')
      .split('\n')
      .filter((line) => line.startsWith('## '))
      .map((line) => line.slice(3).trim()),
  );

  it('has a section for every citation in the code and the tests', () => {
    const cited = [...sourceFiles(join(ROOT, 'src')), ...sourceFiles(join(ROOT, 'test'))].flatMap((file) => citations(readFileSync(file, 'utf8')).map((title) => ({ file, title })));
    expect(cited.length).toBeGreaterThan(10);
    expect(cited.filter(({ title }) => !headings.has(title))).toEqual([]);
  });

  it('is linked from README', () => {
    expect(readFileSync(join(ROOT, 'README.md'), 'utf8')).toContain('(src/ARCHITECTURE.md)');
  });

  it('names no file that does not exist in its source layout table', () => {
    const text = readFileSync(DOC, 'utf8');
    const table = text.slice(text.indexOf('## Source layout'), text.indexOf('## Identity'));
    const named = [...table.matchAll(/`([a-z-]+(?:\/[a-z-]*)*(?:\.ts)?)`/g)].map((match) => match[1] ?? '');
    const paths = named.filter((name) => name.endsWith('.ts') || name.endsWith('/'));
    expect(paths.length).toBeGreaterThan(10);
    const missing = paths.filter((path) => {
      const candidates = [join(ROOT, 'src', path), ...sourceFiles(join(ROOT, 'src')).filter((file) => file.endsWith(`/${path}`))];
      return !candidates.some((candidate) => {
        try {
          statSync(candidate);
          return true;
        } catch {
          return false;
        }
      });
    });
    expect(missing).toEqual([]);
  });
});
