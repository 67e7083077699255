/**
 * Reads .dockerignore the way the Docker CLI does, for the cases the project
 * uses: one pattern a line, `#` comments, `*`, `?` and `**`, a leading `!`
 * re-includes, the last matching pattern wins, and a pattern that matches a
 * directory excludes everything under it.
 */

interface Pattern {
  readonly negated: boolean;
  readonly regex: RegExp;
}

export interface DockerIgnore {
  readonly patterns: readonly string[];
  ignores(path: string): boolean;
}

export function parseDockerIgnore(text: string): DockerIgnore {
  const patterns = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const compiled = patterns.map(compile);
  return {
    patterns,
    ignores(path) {
      const clean = normalize(path);
      let ignored = false;
      for (const pattern of compiled) {
        if (prefixes(clean).some((prefix) => pattern.regex.test(prefix))) ignored = !pattern.negated;
      }
      return ignored;
    },
  };
}

function compile(line: string): Pattern {
  const negated = line.startsWith('!');
  const glob = normalize(negated ? line.slice(1) : line);
  let source = '';
  for (let i = 0; i < glob.length; i += 1) {
    const char = glob[i] ?? '';
    if (char === '*' && glob[i + 1] === '*') {
      // `**/` matches any number of directories, including none.
      source += glob[i + 2] === '/' ? '(?:.*/)?' : '.*';
      i += glob[i + 2] === '/' ? 2 : 1;
    } else if (char === '*') {
      source += '[^/]*';
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  return { negated, regex: new RegExp(`^${source}$`) };
}

function normalize(path: string): string {
  return path.replace(/^\.\//, '').replace(/^\/+/, '').replace(/\/+$/, '');
}

/** `a/b/c` → `a`, `a/b`, `a/b/c`: a path is ignored when it or a parent matches. */
function prefixes(path: string): string[] {
  const parts = path.split('/');
  return parts.map((_part, index) => parts.slice(0, index + 1).join('/'));
}
