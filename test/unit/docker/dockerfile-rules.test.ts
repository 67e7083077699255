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

const CASES: ReadonlyArray<{ rule: RuleId; why: string; text: string }> = [
  { rule: 'pinned-base', why: 'bare major', text: mutate('NODE_VERSION=24.11.1', 'NODE_VERSION=24') },
  { rule: 'pinned-base', why: 'major.minor', text: mutate('NODE_VERSION=24.11.1', 'NODE_VERSION=24.11') },
  { rule: 'pinned-base', why: 'latest', text: mutate('node:${NODE_VERSION}-bookworm-slim AS deps', 'node:latest AS deps') },
  { rule: 'pinned-base', why: 'no tag', text: mutate('node:${NODE_VERSION}-bookworm-slim AS deps', 'node AS deps') },
  { rule: 'pinned-base', why: 'ARG without default', text: mutate('ARG NODE_VERSION=24.11.1', 'ARG NODE_VERSION') },
  {
    rule: 'multi-stage',
    why: 'one stage',
    text: `FROM node:24.11.1-bookworm-slim\n${GOOD.slice(GOOD.indexOf(FINAL_FROM) + FINAL_FROM.length).replace(/^COPY --from.*\n/gm, '')}`,
  },
  { rule: 'no-dev-dependencies', why: 'npm ci in the final stage', text: APPEND('RUN npm ci') },
  { rule: 'no-dev-dependencies', why: 'node_modules from a full install', text: mutate('npm ci --omit=dev', 'npm ci') },
  { rule: 'numeric-user', why: 'user name', text: mutate('USER 999:999', 'USER node') },
  { rule: 'numeric-user', why: 'uid 0', text: mutate('USER 999:999', 'USER 0') },
  { rule: 'numeric-user', why: 'gid 0', text: mutate('USER 999:999', 'USER 999:0') },
  { rule: 'numeric-user', why: 'no USER', text: mutate('USER 999:999\n', '') },
  { rule: 'no-add-url', why: 'ADD https', text: APPEND('ADD https://example.org/tool.tgz /tmp/') },
  { rule: 'apt-get', why: 'no -y', text: mutate('install -y --no', 'install --no') },
  { rule: 'apt-get', why: 'recommends', text: mutate('-y --no-install-recommends', '-y') },
  { rule: 'apt-get', why: 'lists kept', text: mutate('rm -rf /var/lib/apt/lists/* && \\\n', '') },
  { rule: 'apt-get', why: 'lists removed in a later RUN', text: mutate('rm -rf /var/lib/apt/lists/* && \\\n    command -v tool', 'command -v tool\nRUN rm -rf /var/lib/apt/lists/*') },
  { rule: 'no-secret-names', why: 'ENV password', text: mutate('ENV NODE_ENV=production', 'ENV NODE_ENV=production DB_PASSWORD=x') },
  { rule: 'no-secret-names', why: 'legacy ENV form', text: APPEND('ENV CLONE_SECRET hunter2') },
  { rule: 'no-secret-names', why: 'ARG token', text: mutate('ARG NODE_VERSION=24.11.1', 'ARG NODE_VERSION=24.11.1\nARG NPM_TOKEN') },
  { rule: 'no-secret-names', why: 'ARG key', text: APPEND('ARG API_KEY=abc') },
  { rule: 'no-pipe-to-shell', why: 'curl | sh', text: APPEND('RUN curl -fsSL https://example.org/install.sh | sh') },
  { rule: 'no-pipe-to-shell', why: 'wget | bash', text: APPEND('RUN wget -qO- https://example.org/i | sudo bash -s') },
  { rule: 'no-pipe-to-shell', why: 'sh -c $(curl)', text: APPEND('RUN sh -c "$(curl -fsSL https://example.org/i)"') },
  { rule: 'no-pipe-to-shell', why: 'process substitution', text: APPEND('RUN bash <(curl -s https://example.org/i)') },
  { rule: 'exec-form', why: 'shell-form ENTRYPOINT', text: mutate('ENTRYPOINT ["agent"]', 'ENTRYPOINT agent') },
  { rule: 'exec-form', why: 'shell-form CMD', text: mutate('CMD ["--help"]', 'CMD --help') },
  { rule: 'exec-form', why: 'no ENTRYPOINT', text: mutate('ENTRYPOINT ["agent"]\n', '') },
  { rule: 'flavour-tools', why: 'package not installed', text: mutate('--no-install-recommends tool-pkg', '--no-install-recommends other-pkg') },
  { rule: 'flavour-tools', why: 'no build-time check', text: mutate(' && \\\n    command -v tool', '') },
  { rule: 'oci-labels', why: 'no licenses label', text: mutate(' \\\n      org.opencontainers.image.licenses="Apache-2.0"', '') },
  { rule: 'node-env', why: 'development', text: mutate('NODE_ENV=production', 'NODE_ENV=development') },
  { rule: 'node-env', why: 'unset', text: mutate('ENV NODE_ENV=production\n', '') },
  { rule: 'no-healthcheck', why: 'HEALTHCHECK', text: APPEND('HEALTHCHECK CMD ["agent", "status"]') },
];

describe('Dockerfile rules', () => {
  it('pass on a Dockerfile that follows them', () => {
    expect(lintDockerfile(GOOD, { tools: TOOLS })).toEqual([]);
  });

  it.each(CASES)('$rule fails on $why, and only it', ({ rule, text }) => {
    expect(rulesBroken(text)).toEqual([rule]);
  });

  it('every rule has a case that makes it fail', () => {
    expect([...new Set(CASES.map((c) => c.rule))].sort()).toEqual([...RULE_IDS].sort());
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
