/**
 * A small reader of Dockerfile instructions, enough for the lint rules in
 * rules.ts: hadolint has no Debian package and its npm wrappers download a
 * binary, which this project's machines cannot do.
 *
 * It follows the Dockerfile reference where the rules depend on it: keywords
 * are case-insensitive, a trailing backslash continues an instruction (the
 * backslash and newline are removed, as Docker does), comment and blank lines
 * inside a continuation are dropped, and leading `--flag=value` options (RUN
 * --mount, COPY --from, FROM --platform) are kept apart from the arguments.
 * Heredocs and the `# escape=` directive are refused rather than misread.
 */

export interface Instruction {
  /** Upper case: FROM, RUN, COPY, … */
  readonly keyword: string;
  /** Leading `--name=value` options, without the dashes: `from=build`. */
  readonly flags: readonly string[];
  /** Everything after the keyword and its flags, continuations joined. */
  readonly args: string;
  /** 1-based line where the instruction starts. */
  readonly line: number;
}

export interface Stage {
  readonly index: number;
  /** The `AS name` alias, lower-cased as Docker compares it. */
  readonly name: string | undefined;
  /** The base after substituting global ARG defaults: `node:24.11.1-bookworm-slim` or an earlier stage's name. */
  readonly base: string;
  readonly from: Instruction;
  /** The stage's instructions after its FROM. */
  readonly instructions: readonly Instruction[];
}

export interface Dockerfile {
  readonly instructions: readonly Instruction[];
  /** ARGs before the first FROM, with their defaults (undefined when none). */
  readonly globalArgs: ReadonlyMap<string, string | undefined>;
  readonly stages: readonly Stage[];
}

export function parseInstructions(text: string): Instruction[] {
  const lines = text.split(/\r?\n/);
  const instructions: Instruction[] = [];
  let pending: { start: number; text: string } | undefined;
  lines.forEach((raw, index) => {
    const trimmed = raw.trim();
    if (/^#\s*escape\s*=/i.test(trimmed) && instructions.length === 0 && pending === undefined) {
      throw new Error(`line ${index + 1}: the escape directive is not supported`);
    }
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const continues = /\\\s*$/.test(raw);
    const body = continues ? raw.replace(/\\\s*$/, '') : raw;
    pending = pending === undefined ? { start: index + 1, text: body.trimStart() } : { ...pending, text: pending.text + body };
    if (!continues) {
      instructions.push(toInstruction(pending.text, pending.start));
      pending = undefined;
    }
  });
  if (pending !== undefined) instructions.push(toInstruction(pending.text, pending.start));
  return instructions;
}

function toInstruction(text: string, line: number): Instruction {
  const match = /^(\S+)\s*([\s\S]*)$/.exec(text.trim());
  if (match === null) throw new Error(`line ${line}: empty instruction`);
  const keyword = (match[1] ?? '').toUpperCase();
  let rest = match[2] ?? '';
  const flags: string[] = [];
  for (let flag = /^--(\S+)\s*/.exec(rest); flag !== null; flag = /^--(\S+)\s*/.exec(rest)) {
    flags.push(flag[1] ?? '');
    rest = rest.slice(flag[0].length);
  }
  if (/<<-?\s*["']?[A-Za-z_]\w*["']?/.test(rest) && ['RUN', 'COPY', 'ADD'].includes(keyword)) {
    throw new Error(`line ${line}: heredocs are not supported by this reader`);
  }
  return { keyword, flags, args: rest.trim(), line };
}

export function parseDockerfile(text: string): Dockerfile {
  const instructions = parseInstructions(text);
  const globalArgs = new Map<string, string | undefined>();
  const stages: Stage[] = [];
  let current: { from: Instruction; base: string; name: string | undefined; body: Instruction[] } | undefined;
  const close = (): void => {
    if (current !== undefined) {
      stages.push({ index: stages.length, name: current.name, base: current.base, from: current.from, instructions: current.body });
    }
  };
  for (const instruction of instructions) {
    if (instruction.keyword === 'FROM') {
      close();
      const [image = '', as, alias] = instruction.args.split(/\s+/);
      const name = as?.toUpperCase() === 'AS' && alias !== undefined ? alias.toLowerCase() : undefined;
      current = { from: instruction, base: substitute(image, globalArgs), name, body: [] };
    } else if (current !== undefined) {
      current.body.push(instruction);
    } else if (instruction.keyword === 'ARG') {
      for (const [key, value] of parseKeyValues(instruction.args)) globalArgs.set(key, value);
    } else {
      throw new Error(`line ${instruction.line}: ${instruction.keyword} before the first FROM`);
    }
  }
  close();
  return { instructions, globalArgs, stages };
}

/** `${NAME}`, `${NAME:-default}` and `$NAME`; unknown names are left as written. */
export function substitute(value: string, vars: ReadonlyMap<string, string | undefined>): string {
  return value.replace(/\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)/g, (whole, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
    const known = vars.get(braced ?? bare ?? '');
    return known ?? fallback ?? whole;
  });
}

/**
 * `KEY=value KEY2="quoted value"` (ENV, LABEL, ARG). The legacy `ENV KEY value`
 * form gives one pair; an ARG without `=` has an undefined value.
 */
export function parseKeyValues(args: string): Array<[string, string | undefined]> {
  const words = splitWords(args);
  if (words.length > 0 && !words.some((word) => word.includes('='))) {
    const [key = '', ...rest] = words;
    return [[key, rest.length > 0 ? rest.join(' ') : undefined]];
  }
  return words.map((word) => {
    const equals = word.indexOf('=');
    return equals < 0 ? [word, undefined] : [word.slice(0, equals), word.slice(equals + 1)];
  });
}

/** Whitespace-separated words; double and single quotes group and are removed. */
export function splitWords(text: string): string[] {
  const words: string[] = [];
  const pattern = /(?:"((?:\\.|[^"\\])*)"|'([^']*)'|((?:\\.|[^\s"'\\])+))+/g;
  for (const match of text.matchAll(pattern)) {
    words.push(match[0].replace(/"((?:\\.|[^"\\])*)"|'([^']*)'/g, (_all, double: string | undefined, single: string | undefined) =>
      double !== undefined ? double.replace(/\\(.)/g, '$1') : (single ?? ''),
    ));
  }
  return words;
}

/** The exec (JSON array) form of RUN, CMD or ENTRYPOINT, or undefined for the shell form. */
export function execForm(args: string): string[] | undefined {
  if (!args.trimStart().startsWith('[')) return undefined;
  try {
    const parsed: unknown = JSON.parse(args);
    return Array.isArray(parsed) && parsed.every((item) => typeof item === 'string') ? parsed : undefined;
  } catch {
    return undefined;
  }
}

/** Value of a `--name=value` flag, e.g. `flagValue(copy, 'from')`. */
export function flagValue(instruction: Instruction, name: string): string | undefined {
  const prefix = `${name}=`;
  return instruction.flags.find((flag) => flag.startsWith(prefix))?.slice(prefix.length);
}

/** The stages a stage is built on (an earlier stage used as base), oldest first, ending with itself. */
export function lineage(file: Dockerfile, stage: Stage): Stage[] {
  const parent = file.stages.find((other) => other.index < stage.index && other.name === stage.base.toLowerCase());
  return parent === undefined ? [stage] : [...lineage(file, parent), stage];
}

/**
 * The stages whose files end up in a stage: its lineage, and the lineage of
 * each stage it copies from (`COPY --from=<stage>`), as for a final stage FROM
 * scratch whose filesystem an earlier stage assembled.
 */
export function suppliers(file: Dockerfile, stage: Stage): Stage[] {
  const own = lineage(file, stage);
  const sources = own
    .flatMap((member) => member.instructions)
    .filter((i) => i.keyword === 'COPY')
    .map((i) => flagValue(i, 'from')?.toLowerCase())
    .flatMap((from) => file.stages.filter((other) => other.index < stage.index && (other.name === from || String(other.index) === from)));
  return [...new Set([...sources.flatMap((source) => suppliers(file, source)), ...own])];
}

export function finalStage(file: Dockerfile): Stage {
  const last = file.stages.at(-1);
  if (last === undefined) throw new Error('the Dockerfile has no FROM');
  return last;
}
