import {
  execForm,
  finalStage,
  flagValue,
  lineage,
  parseDockerfile,
  parseKeyValues,
  splitWords,
  suppliers,
  type Dockerfile,
  type Instruction,
  type Stage,
} from './parse.js';
import { aptInstalls, assumesYes, checkedBinaries, dependencyInstalls, omitsDevDependencies, simpleCommands } from './shell.js';

/**
 * The rules this project's images must follow, checked on the parsed
 * Dockerfile. Each returns violations as data (rule, line, message) so a test
 * can say which rule a file breaks, and prove that each rule can fail.
 */

export const RULE_IDS = [
  'pinned-base',
  'multi-stage',
  'no-dev-dependencies',
  'numeric-user',
  'no-add-url',
  'apt-get',
  'no-secret-names',
  'no-pipe-to-shell',
  'exec-form',
  'flavour-tools',
  'oci-labels',
  'node-env',
  'no-healthcheck',
] as const;

export type RuleId = (typeof RULE_IDS)[number];

export interface Violation {
  readonly rule: RuleId;
  readonly line: number;
  readonly message: string;
}

/** A binary the agent runs, and the packages any one of which provides it. */
export interface RequiredTool {
  readonly binary: string;
  readonly packages: readonly string[];
}

export interface LintOptions {
  readonly tools: readonly RequiredTool[];
}

export const REQUIRED_LABELS = ['org.opencontainers.image.source', 'org.opencontainers.image.version', 'org.opencontainers.image.licenses'];

export function lintDockerfile(text: string, options: LintOptions): Violation[] {
  const file = parseDockerfile(text);
  const final = finalStage(file);
  const finalChain = lineage(file, final).flatMap((stage) => stage.instructions);
  return [
    ...pinnedBases(file),
    ...multiStage(file),
    ...noDevDependencies(file, final),
    ...numericUser(final, finalChain),
    ...perInstruction(file.instructions),
    ...execFormEntrypoint(final, finalChain),
    ...flavourTools(final, suppliers(file, final).flatMap((stage) => stage.instructions), options.tools),
    ...ociLabels(final, finalChain),
    ...nodeEnv(final, finalChain),
  ];
}

function violation(rule: RuleId, at: Instruction, message: string): Violation {
  return { rule, line: at.line, message };
}

/** A rebuild must get the same base: an exact version (x.y.z) or a digest, never `latest` or a bare major. */
function pinnedBases(file: Dockerfile): Violation[] {
  return file.stages.flatMap((stage) => {
    const base = stage.base;
    const fromEarlierStage = file.stages.some((other) => other.index < stage.index && other.name === base.toLowerCase());
    if (fromEarlierStage || base === 'scratch' || /@sha256:[0-9a-f]{64}$/.test(base)) return [];
    if (base.includes('$')) return [violation('pinned-base', stage.from, `base ${base} has a variable without a default`)];
    const slash = base.lastIndexOf('/');
    const colon = base.lastIndexOf(':');
    const tag = colon > slash ? base.slice(colon + 1) : undefined;
    if (tag === undefined) return [violation('pinned-base', stage.from, `base ${base} has no tag, which means latest`)];
    if (!/^v?\d+\.\d+\.\d+(?:[-._+].*)?$/.test(tag)) {
      return [violation('pinned-base', stage.from, `base ${base}: tag ${tag} is not an exact version (major.minor.patch)`)];
    }
    return [];
  });
}

function multiStage(file: Dockerfile): Violation[] {
  if (file.stages.length >= 2) return [];
  return [violation('multi-stage', finalStage(file).from, 'one stage only: build tools and dev dependencies would ship in the image')];
}

/**
 * The final stage installs no devDependencies itself, and node_modules it
 * copies from another stage come from an install that left them out.
 */
function noDevDependencies(file: Dockerfile, final: Stage): Violation[] {
  const found: Violation[] = [];
  for (const run of final.instructions.filter((i) => i.keyword === 'RUN')) {
    if (dependencyInstalls(run.args).some((command) => !omitsDevDependencies(command))) {
      found.push(violation('no-dev-dependencies', run, 'the final stage installs dependencies with devDependencies'));
    }
  }
  for (const copy of final.instructions.filter((i) => i.keyword === 'COPY' && /node_modules/.test(i.args))) {
    const from = flagValue(copy, 'from');
    const source = file.stages.find((stage) => stage.name === from?.toLowerCase() || String(stage.index) === from);
    const installs = source === undefined ? [] : lineage(file, source).flatMap((stage) => stage.instructions.filter((i) => i.keyword === 'RUN').flatMap((i) => dependencyInstalls(i.args)));
    const last = installs.at(-1);
    if (last === undefined || !omitsDevDependencies(last)) {
      found.push(violation('no-dev-dependencies', copy, `node_modules copied from ${from ?? 'the build context'}, where the last install keeps devDependencies`));
    }
  }
  return found;
}

/** Numeric, because Kubernetes' runAsNonRoot can only check a numeric user; non-zero, because root is what we avoid. */
function numericUser(final: Stage, chain: readonly Instruction[]): Violation[] {
  const user = chain.filter((i) => i.keyword === 'USER').at(-1);
  if (user === undefined) return [violation('numeric-user', final.from, 'the final stage runs as root (no USER)')];
  const match = /^(\d+)(?::(\d+))?$/.exec(user.args);
  if (match === null) return [violation('numeric-user', user, `USER ${user.args} is not numeric uid[:gid]`)];
  if (Number(match[1]) === 0 || Number(match[2] ?? '1') === 0) return [violation('numeric-user', user, `USER ${user.args} is root`)];
  return [];
}

/** Rules about single instructions, in every stage. */
function perInstruction(instructions: readonly Instruction[]): Violation[] {
  return instructions.flatMap((instruction): Violation[] => {
    switch (instruction.keyword) {
      case 'ADD':
        return splitWords(instruction.args).some((word) => /^(?:https?|ftp|git):\/\/|^git@/.test(word))
          ? [violation('no-add-url', instruction, 'ADD of a URL: fetch in a RUN that checks what it got, or COPY')]
          : [];
      case 'RUN':
        return [...aptGet(instruction), ...pipeToShell(instruction)];
      case 'ENV':
      case 'ARG':
        return parseKeyValues(instruction.args)
          .filter(([key]) => /PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIAL/i.test(key))
          .map(([key]) => violation('no-secret-names', instruction, `${instruction.keyword} ${key}: build args and env are kept in the image's history`));
      case 'HEALTHCHECK':
        return /^NONE$/i.test(instruction.args) ? [] : [violation('no-healthcheck', instruction, 'HEALTHCHECK: Kubernetes probes check health, the image must not')];
      default:
        return [];
    }
  });
}

/** No prompt, no recommended extras, and no package lists left in the layer. */
function aptGet(run: Instruction): Violation[] {
  const found: Violation[] = [];
  for (const install of aptInstalls(run.args)) {
    if (!assumesYes(install.args)) found.push(violation('apt-get', run, 'apt-get install without -y'));
    if (!install.args.includes('--no-install-recommends')) found.push(violation('apt-get', run, 'apt-get install without --no-install-recommends'));
  }
  const usesApt = simpleCommands(run.args).some((command) => ['apt-get', 'apt'].includes(command.name) && ['update', 'install'].includes(command.args[0] ?? ''));
  const cleans = simpleCommands(run.args).some(
    (command) => command.name === 'rm' && command.args.some((arg) => /^-[a-z]*r[a-z]*$/.test(arg) && arg.includes('f')) && command.args.includes('/var/lib/apt/lists/*'),
  );
  if (usesApt && !cleans) found.push(violation('apt-get', run, 'apt-get without rm -rf /var/lib/apt/lists/* in the same RUN'));
  return found;
}

/** Downloaded code run unchecked: `curl … | sh`, `sh -c "$(curl …)"`, `sh <(curl …)`. */
function pipeToShell(run: Instruction): Violation[] {
  const shell = String.raw`(?:\S*/)?(?:ba|da|z|k)?sh\b`;
  const patterns = [
    new RegExp(String.raw`\b(?:curl|wget)\b[^;&]*?\|\s*(?:sudo\s+)?${shell}`),
    new RegExp(String.raw`${shell}\s+(?:-c\s+)?["']?\$\((?:curl|wget)\b`),
    new RegExp(String.raw`${shell}\s+<\(\s*(?:curl|wget)\b`),
  ];
  return patterns.some((pattern) => pattern.test(run.args)) ? [violation('no-pipe-to-shell', run, 'downloaded script piped to a shell')] : [];
}

/** Exec form, so the agent is PID 1 and gets SIGTERM from the kubelet (a shell form wraps it in sh -c). */
function execFormEntrypoint(final: Stage, chain: readonly Instruction[]): Violation[] {
  const entrypoint = chain.filter((i) => i.keyword === 'ENTRYPOINT').at(-1);
  if (entrypoint === undefined) return [violation('exec-form', final.from, 'no ENTRYPOINT')];
  const cmd = chain.filter((i) => i.keyword === 'CMD').at(-1);
  return [entrypoint, ...(cmd === undefined ? [] : [cmd])]
    .filter((instruction) => execForm(instruction.args) === undefined)
    .map((instruction) => violation('exec-form', instruction, `${instruction.keyword} is in shell form`));
}

/**
 * Each binary the agent runs for the image's flavour is installed (a package
 * that provides it appears in an apt-get install RUN) and checked at build
 * time (`command -v <binary>`), so a missing tool fails the build, not a clone:
 * in the final stage's lineage or in a stage it copies from (a final stage
 * FROM scratch gets its tools from the stage that assembled its filesystem).
 */
function flavourTools(final: Stage, chain: readonly Instruction[], tools: readonly RequiredTool[]): Violation[] {
  const runs = chain.filter((i) => i.keyword === 'RUN');
  const installRuns = runs.filter((run) => aptInstalls(run.args).length > 0);
  return tools.flatMap((tool): Violation[] => {
    const installed = installRuns.some((run) => tool.packages.some((name) => splitWords(run.args).some((word) => word.replace(/;+$/, '').split('=').includes(name))));
    const checked = runs.some((run) => checkedBinaries(run.args).has(tool.binary));
    return [
      ...(installed ? [] : [violation('flavour-tools', final.from, `${tool.binary}: none of ${tool.packages.join(', ')} is installed`)]),
      ...(checked ? [] : [violation('flavour-tools', final.from, `${tool.binary}: no build-time check (command -v ${tool.binary})`)]),
    ];
  });
}

function ociLabels(final: Stage, chain: readonly Instruction[]): Violation[] {
  const keys = new Set(chain.filter((i) => i.keyword === 'LABEL').flatMap((i) => parseKeyValues(i.args).map(([key]) => key)));
  return REQUIRED_LABELS.filter((label) => !keys.has(label)).map((label) => violation('oci-labels', final.from, `label ${label} is missing`));
}

/** Libraries (fastify, pino) take their production paths from NODE_ENV. */
function nodeEnv(final: Stage, chain: readonly Instruction[]): Violation[] {
  const value = chain
    .filter((i) => i.keyword === 'ENV')
    .flatMap((i) => parseKeyValues(i.args))
    .filter(([key]) => key === 'NODE_ENV')
    .at(-1)?.[1];
  return value === 'production' ? [] : [violation('node-env', final.from, `NODE_ENV is ${value ?? 'unset'}, not production`)];
}
