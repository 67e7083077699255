import { splitWords } from './parse.js';

/**
 * Just enough of a shell reader for the RUN rules: a script is cut into simple
 * commands at `&&`, `||`, `;`, `|` and newlines (outside quotes), and each
 * command into words. Variable assignments and `sudo`/`env` in front of a
 * command are skipped, so `DEBIAN_FRONTEND=noninteractive apt-get install`
 * is still read as apt-get.
 */

export interface SimpleCommand {
  readonly words: readonly string[];
  /** The command's name (first word after assignments and wrappers). */
  readonly name: string;
  /** The words after the name. */
  readonly args: readonly string[];
}

export function simpleCommands(script: string): SimpleCommand[] {
  return splitOutsideQuotes(script)
    .map((part) => splitWords(part))
    .filter((words) => words.length > 0)
    .map((words) => {
      let start = 0;
      while (start < words.length && (/^\w+=/.test(words[start] ?? '') || ['sudo', 'env', 'exec'].includes(words[start] ?? ''))) start += 1;
      return { words, name: words[start] ?? '', args: words.slice(start + 1) };
    });
}

function splitOutsideQuotes(script: string): string[] {
  const parts: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  for (let i = 0; i < script.length; i += 1) {
    const char = script[i] ?? '';
    if (quote !== undefined) {
      if (char === quote) quote = undefined;
      current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      current += char;
    } else if (char === ';' || char === '\n' || char === '|' || (char === '&' && script[i + 1] === '&')) {
      parts.push(current);
      current = '';
      if ((char === '&' || char === '|') && script[i + 1] === char) i += 1;
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}

/** `apt-get install …` commands of a script (also `apt install`). */
export function aptInstalls(script: string): SimpleCommand[] {
  return simpleCommands(script).filter((command) => ['apt-get', 'apt'].includes(command.name) && command.args.includes('install'));
}

/** -y, --yes, --assume-yes, or a cluster of short options with y in it (-qqy). */
export function assumesYes(args: readonly string[]): boolean {
  return args.some((arg) => arg === '--yes' || arg === '--assume-yes' || /^-[a-z]*y[a-z]*$/.test(arg));
}

/** npm/yarn/pnpm commands that (re)install dependencies: install, i, ci, add, prune. */
export function dependencyInstalls(script: string): SimpleCommand[] {
  return simpleCommands(script).filter(
    (command) => ['npm', 'yarn', 'pnpm'].includes(command.name) && ['install', 'i', 'ci', 'add', 'prune'].includes(command.args[0] ?? (command.name === 'yarn' ? 'install' : '')),
  );
}

/** True when a dependency install leaves out devDependencies. */
export function omitsDevDependencies(command: SimpleCommand): boolean {
  return command.args.some((arg) => ['--omit=dev', '--production', '--prod', '--only=production', '--only=prod'].includes(arg)) ||
    (command.args.includes('--omit') && command.args[command.args.indexOf('--omit') + 1] === 'dev');
}

/**
 * Binaries a script checks with `command -v`, directly or through a loop
 * (`for tool in a b; do command -v "$tool"; done`).
 */
export function checkedBinaries(script: string): Set<string> {
  const found = new Set<string>();
  for (const match of script.matchAll(/command\s+-v\s+["']?([\w.+-]+)["']?/g)) found.add(match[1] ?? '');
  const loop = /for\s+(\w+)\s+in\s+([^;\n]+?)\s*;\s*do\s+command\s+-v\s+["']?\$\{?(\w+)\}?["']?/g;
  for (const match of script.matchAll(loop)) {
    if (match[1] === match[3]) for (const word of splitWords(match[2] ?? '')) found.add(word);
  }
  return found;
}
