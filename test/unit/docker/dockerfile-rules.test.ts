import { describe, expect, it } from 'vitest';
import { RULE_IDS, lintDockerfile, type RuleId } from '../../support/dockerfile/rules.js';

// A small Dockerfile that follows every rule; each case below breaks it in one
// place and names the one rule that must then fail, so no rule can pass by
// never firing.
const GOOD = `ARG NODE_VERSION=24.11.1
FROM node:\${NODE_VERSION}-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
FROM node:\${NODE_VERSION}-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci && npm run build
FROM node:\${NODE_VERSION}-bookworm-slim
LABEL org.opencontainers.image.source="https://example.org/agent" \\
      org.opencontainers.image.version="1.0.0" \\
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production
RUN apt-get update && \\
    apt-get install -y --no-install-recommends tool-pkg && \\
    rm -rf /var/lib/apt/lists/* && \\
    command -v tool
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER 999:999
ENTRYPOINT ["agent"]
CMD ["--help"]
`;

const TOOLS = [{ binary: 'tool', packages: ['tool-pkg'] }];

function rulesBroken(text: string): RuleId[] {
  return [...new Set(lintDockerfile(text, { tools: TOOLS }).map((violation) => violation.rule))].sort();
}

/** GOOD with `from` replaced by `to`; `from` must be there, or the case would test nothing. */
function mutate(from: string, to: string): string {
  if (!GOOD.includes(from)) throw new Error(`the good Dockerfile has no ${JSON.stringify(from)}`);
  return GOOD.replace(from, to);
}

const FINAL_FROM = 'FROM node:${NODE_VERSION}-bookworm-slim\n';
const APPEND = (line: string): string => mutate('USER 999:999', `${line}\nUSER 999:999`);

// Keyed by rule, so a rule added to RULE_IDS without a failing case does not compile.
const BROKEN: Readonly<Record<RuleId, Readonly<Record<string, string>>>> = {
  'pinned-base': {
    'a bare major': mutate('NODE_VERSION=24.11.1', 'NODE_VERSION=24'),
    'major.minor': mutate('NODE_VERSION=24.11.1', 'NODE_VERSION=24.11'),
    latest: mutate('node:${NODE_VERSION}-bookworm-slim AS deps', 'node:latest AS deps'),
    'no tag': mutate('node:${NODE_VERSION}-bookworm-slim AS deps', 'node AS deps'),
    'an ARG without default': mutate('ARG NODE_VERSION=24.11.1', 'ARG NODE_VERSION'),
  },
  'multi-stage': {
    'one stage': `FROM node:24.11.1-bookworm-slim\n${GOOD.slice(GOOD.indexOf(FINAL_FROM) + FINAL_FROM.length).replace(/^COPY --from.*\n/gm, '')}`,
  },
  'no-dev-dependencies': {
    'npm ci in the final stage': APPEND('RUN npm ci'),
    'node_modules from a full install': mutate('npm ci --omit=dev', 'npm ci'),
  },
  'numeric-user': {
    'a user name': mutate('USER 999:999', 'USER node'),
    'uid 0': mutate('USER 999:999', 'USER 0'),
    'gid 0': mutate('USER 999:999', 'USER 999:0'),
    'no USER': mutate('USER 999:999\n', ''),
  },
  'no-add-url': { 'ADD https://': APPEND('ADD https://example.org/tool.tgz /tmp/') },
  'apt-get': {
    'no -y': mutate('install -y --no', 'install --no'),
    'recommends': mutate('-y --no-install-recommends', '-y'),
    'lists kept': mutate('rm -rf /var/lib/apt/lists/* && \\\n', ''),
    'lists removed in a later RUN': mutate('rm -rf /var/lib/apt/lists/* && \\\n    command -v tool', 'command -v tool\nRUN rm -rf /var/lib/apt/lists/*'),
  },
  'no-secret-names': {
    'ENV …PASSWORD': mutate('ENV NODE_ENV=production', 'ENV NODE_ENV=production DB_PASSWORD=x'),
    'the legacy ENV form': APPEND('ENV CLONE_SECRET hunter2'),
    'ARG …TOKEN': mutate('ARG NODE_VERSION=24.11.1', 'ARG NODE_VERSION=24.11.1\nARG NPM_TOKEN'),
    'ARG …KEY': APPEND('ARG API_KEY=abc'),
  },
  'no-pipe-to-shell': {
    'curl | sh': APPEND('RUN curl -fsSL https://example.org/install.sh | sh'),
    'wget | sudo bash': APPEND('RUN wget -qO- https://example.org/i | sudo bash -s'),
    'sh -c "$(curl …)"': APPEND('RUN sh -c "$(curl -fsSL https://example.org/i)"'),
    'bash <(curl …)': APPEND('RUN bash <(curl -s https://example.org/i)'),
  },
  'exec-form': {
    'a shell-form ENTRYPOINT': mutate('ENTRYPOINT ["agent"]', 'ENTRYPOINT agent'),
    'a shell-form CMD': mutate('CMD ["--help"]', 'CMD --help'),
    'no ENTRYPOINT': mutate('ENTRYPOINT ["agent"]\n', ''),
  },
  'flavour-tools': {
    'the package not installed': mutate('--no-install-recommends tool-pkg', '--no-install-recommends other-pkg'),
    'no build-time check': mutate(' && \\\n    command -v tool', ''),
  },
  'oci-labels': { 'no licenses label': mutate(' \\\n      org.opencontainers.image.licenses="Apache-2.0"', '') },
  'node-env': {
    development: mutate('NODE_ENV=production', 'NODE_ENV=development'),
    unset: mutate('ENV NODE_ENV=production\n', ''),
  },
  'no-healthcheck': { HEALTHCHECK: APPEND('HEALTHCHECK CMD ["agent", "status"]') },
};

const CASES = Object.entries(BROKEN).flatMap(([rule, cases]) => Object.entries(cases).map(([why, text]) => ({ rule, why, text })));

describe('Dockerfile rules', () => {
  it('pass on a Dockerfile that follows them', () => {
    expect(lintDockerfile(GOOD, { tools: TOOLS })).toEqual([]);
  });

  it.each(CASES)('$rule fails on $why, and only it', ({ rule, text }) => {
    expect(rulesBroken(text)).toEqual([rule]);
  });

  it('every rule has a case that makes it fail', () => {
    expect(RULE_IDS.filter((rule) => Object.keys(BROKEN[rule]).length === 0)).toEqual([]);
    expect(Object.keys(BROKEN).sort()).toEqual([...RULE_IDS].sort());
  });

  it('name the line of the broken instruction', () => {
    const text = mutate('USER 999:999', 'USER node');
    expect(lintDockerfile(text, { tools: TOOLS })).toEqual([
      { rule: 'numeric-user', line: text.split('\n').indexOf('USER node') + 1, message: 'USER node is not numeric uid[:gid]' },
    ]);
  });

  it('accept a digest, HEALTHCHECK NONE and a base that is an earlier stage', () => {
    const text = mutate('FROM node:${NODE_VERSION}-bookworm-slim\n', `FROM deps\nHEALTHCHECK NONE\n`).replace(
      'node:${NODE_VERSION}-bookworm-slim AS deps',
      `node@sha256:${'a'.repeat(64)} AS deps`,
    );
    // The final stage inherits from deps, whose npm ci --omit=dev is fine to keep.
    expect(rulesBroken(text)).toEqual([]);
  });
});
