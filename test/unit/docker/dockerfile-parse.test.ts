import { describe, expect, it } from 'vitest';
import { parseDockerIgnore } from '../../support/dockerfile/dockerignore.js';
import { execForm, parseDockerfile, parseInstructions, parseKeyValues, splitWords, substitute } from '../../support/dockerfile/parse.js';
import { checkedBinaries, simpleCommands } from '../../support/dockerfile/shell.js';

describe('Dockerfile reader', () => {
  it('joins continuations, drops comment lines inside them and keeps leading flags apart', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      'from node:24.11.1-bookworm-slim as Build',
      'RUN --mount=type=cache,target=/root/.npm \\',
      '    # a comment inside the continuation',
      '    npm ci \\',
      '',
      '    && npm run build',
      'COPY --from=build --chmod=0755 /app/dist ./dist',
    ].join('\n');
    expect(parseInstructions(text)).toEqual([
      { keyword: 'FROM', flags: [], args: 'node:24.11.1-bookworm-slim as Build', line: 2 },
      { keyword: 'RUN', flags: ['mount=type=cache,target=/root/.npm'], args: 'npm ci     && npm run build', line: 3 },
      { keyword: 'COPY', flags: ['from=build', 'chmod=0755'], args: '/app/dist ./dist', line: 8 },
    ]);
  });

  it('splits stages, names them in lower case and substitutes global ARG defaults into FROM', () => {
    const file = parseDockerfile('ARG V=1.2.3\nARG W\nFROM img:${V} AS One\nRUN a\nFROM one\nRUN b\n');
    expect(file.globalArgs).toEqual(new Map([['V', '1.2.3'], ['W', undefined]]));
    expect(file.stages.map((s) => [s.index, s.name, s.base, s.instructions.map((i) => i.args)])).toEqual([
      [0, 'one', 'img:1.2.3', ['a']],
      [1, undefined, 'one', ['b']],
    ]);
  });

  it('refuses what it cannot read rather than misreading it', () => {
    expect(() => parseInstructions('FROM a:1.0.0\nRUN <<EOF\necho hi\nEOF\n')).toThrow(/heredocs/);
    expect(() => parseInstructions('# escape=`\nFROM a:1.0.0\n')).toThrow(/escape/);
    expect(() => parseDockerfile('RUN true\nFROM a:1.0.0\n')).toThrow(/before the first FROM/);
  });

  it('reads key=value lists, quotes, exec form and ${VAR:-default}', () => {
    expect(parseKeyValues('A=1 B="two words" C')).toEqual([['A', '1'], ['B', 'two words'], ['C', undefined]]);
    expect(parseKeyValues('LEGACY some value')).toEqual([['LEGACY', 'some value']]);
    expect(splitWords(`a "b c" 'd e' f\\ g`)).toEqual(['a', 'b c', 'd e', 'f\\ g']);
    expect(execForm('["mysql-sts-agent", "--help"]')).toEqual(['mysql-sts-agent', '--help']);
    expect(execForm('mysql-sts-agent --help')).toBeUndefined();
    expect(execForm('["a", 1]')).toBeUndefined();
    expect(substitute('${A}-${B:-b}-$C-${D}', new Map([['A', 'a'], ['C', 'c']]))).toBe('a-b-c-${D}');
  });
});

describe('shell reader', () => {
  it('cuts a script into simple commands, skipping assignments and sudo', () => {
    const commands = simpleCommands('set -eux; DEBIAN_FRONTEND=noninteractive apt-get install -y x && sudo rm -rf "/a b" | tee log || echo "a;b"');
    expect(commands.map((c) => [c.name, c.args])).toEqual([
      ['set', ['-eux']],
      ['apt-get', ['install', '-y', 'x']],
      ['rm', ['-rf', '/a b']],
      ['tee', ['log']],
      ['echo', ['a;b']],
    ]);
  });

  it('finds the binaries a script checks with command -v, also through a loop', () => {
    expect([...checkedBinaries('command -v a; for tool in b c; do command -v "$tool"; done; for x in d; do echo "$x"; done')]).toEqual(['a', 'b', 'c']);
  });
});

describe('.dockerignore reader', () => {
  it('matches directories with everything under them, globs, ** and negation (last match wins)', () => {
    const ignore = parseDockerIgnore('# comment\nnode_modules\n/dist/\n*.md\n!KEEP.md\n**/*.log\nsrc/**/fixtures\n');
    const paths = ['node_modules/x/y.js', 'dist/main.js', 'README.md', 'KEEP.md', 'docs/a.md', 'a.log', 'src/deep/a.log', 'src/a/b/fixtures/f.json', 'src/main.ts'];
    expect(Object.fromEntries(paths.map((path) => [path, ignore.ignores(path)]))).toEqual({
      'node_modules/x/y.js': true,
      'dist/main.js': true,
      'README.md': true,
      'KEEP.md': false,
      'docs/a.md': false,
      'a.log': true,
      'src/deep/a.log': true,
      'src/a/b/fixtures/f.json': true,
      'src/main.ts': false,
    });
  });
});
