import { describe, expect, it } from 'vitest';
import { IMAGES, packageJson, readRepoFile, toolsOf } from '../../support/dockerfile/images.js';
import { execForm, finalStage, flagValue, parseDockerfile, parseKeyValues, type Dockerfile, type Stage } from '../../support/dockerfile/parse.js';
import { lintDockerfile } from '../../support/dockerfile/rules.js';

function load(path: string): { text: string; file: Dockerfile } {
  const text = readRepoFile(path);
  return { text, file: parseDockerfile(text) };
}

function last(stage: Stage, keyword: string): string | undefined {
  return stage.instructions.filter((i) => i.keyword === keyword).at(-1)?.args;
}

/** ARG defaults declared in a stage (or before the first FROM). */
function argDefault(file: Dockerfile, name: string, stage?: Stage): string | undefined {
  if (stage === undefined) return file.globalArgs.get(name);
  return stage.instructions.filter((i) => i.keyword === 'ARG').flatMap((i) => parseKeyValues(i.args)).find(([key]) => key === name)?.[1];
}

/** `8.0) package=percona-xtrabackup-80 ;;` arms of the case that picks by XTRABACKUP_VERSION. */
function caseArms(stage: Stage, variable: string): Record<string, string> {
  const script = stage.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args).join('\n');
  const arms = [...script.matchAll(new RegExp(String.raw`(\d+\.\d+)\)\s*${variable}=([\w.-]+)\s*;;`, 'g'))];
  return Object.fromEntries(arms.map((arm) => [arm[1] ?? '', arm[2] ?? '']));
}

describe.each(IMAGES)('$dockerfile', ({ dockerfile, flavor }) => {
  const { text, file } = load(dockerfile);
  const final = finalStage(file);

  it('follows every image rule, with the tools the agent runs for its flavour', () => {
    expect(lintDockerfile(text, { tools: toolsOf(flavor) })).toEqual([]);
  });

  it('builds every stage on one exact node release, the one the tests run (.node-version), at least the one package.json requires', () => {
    const nodeVersion = file.globalArgs.get('NODE_VERSION') ?? '';
    expect(nodeVersion).toMatch(/^\d+\.\d+\.\d+$/);
    expect(nodeVersion).toBe(readRepoFile('.node-version').trim());
    const building = file.stages.filter((stage) => stage !== final || stage.base !== 'scratch');
    expect(new Set(building.map((stage) => stage.base))).toEqual(new Set([`node:${nodeVersion}-bookworm-slim`]));
    const required = /^>=\s*(\d+)/.exec(packageJson().engines.node)?.[1];
    expect(Number(nodeVersion.split('.')[0])).toBeGreaterThanOrEqual(Number(required));
  });

  it('runs as uid/gid 999 (mysql in the server images), the agent as entrypoint, --help by default', () => {
    expect(last(final, 'USER')).toBe('999:999');
    expect(execForm(last(final, 'ENTRYPOINT') ?? '')).toEqual(['mysql-sts-agent']);
    expect(execForm(last(final, 'CMD') ?? '')).toEqual(['--help']);
  });

  it('puts the package bin on PATH as mysql-sts-agent, executable, with its shebang', () => {
    const bin = packageJson().bin['mysql-sts-agent'];
    expect(bin).toBe('dist/main.js');
    if (final.base === 'scratch') {
      // A final stage FROM scratch has no shell: its filesystem's assembly writes the command, a launcher that
      // imports the bin with node's flags on its shebang line (README, "Idle RSS in the image").
      const script = readRepoFile('docker/assemble-rootfs.sh');
      expect(script).toContain(`"import('/app/${bin}');" > "$root/usr/local/bin/mysql-sts-agent"`);
      expect(script).toMatch(/^ {2}'#!\/usr\/bin\/env -S node( --[a-z-]+(=\d+)?)+' \\$/m);
      expect(script.split('\n')).toContain('chmod 0755 "$root/usr/local/bin/mysql-sts-agent"');
    } else {
      expect(final.instructions.map((i) => i.args)).toContain(`ln -s /app/${bin} /usr/local/bin/mysql-sts-agent`);
    }
    const build = file.stages.find((stage) => stage.name === 'build');
    expect(build?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args)).toContain(`npm run build && chmod 0755 ${bin}`);
    expect(readRepoFile('src/main.ts').split('\n')[0]).toBe('#!/usr/bin/env node');
  });

  it('labels the image with the version package.json has', () => {
    expect(argDefault(file, 'VERSION', final)).toBe(packageJson().version);
    const labels = Object.fromEntries(final.instructions.filter((i) => i.keyword === 'LABEL').flatMap((i) => parseKeyValues(i.args)));
    expect(labels).toMatchObject({
      'org.opencontainers.image.version': '${VERSION}',
      'org.opencontainers.image.licenses': 'Apache-2.0',
      'org.opencontainers.image.source': 'https://github.com/mysql-sts-agent/mysql-sts-agent',
    });
  });
});

describe('docker/Dockerfile.mariadb', () => {
  const { file } = load('docker/Dockerfile.mariadb');

  it('gets mariadb-backup 10.11 from bookworm, the Debian release that ships MariaDB 10.11, checks it, and puts it with its libraries in the image', () => {
    const rootfs = file.stages.find((stage) => stage.name === 'rootfs');
    expect(finalStage(file).base).toBe('scratch');
    expect(rootfs && argDefault(file, 'MARIADB_MAJOR', rootfs)).toBe('10.11');
    expect(rootfs?.base).toMatch(/-bookworm-slim$/);
    const runs = rootfs?.instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args) ?? [];
    expect(runs.some((run) => run.includes('mariadb-backup --version 2>&1 | grep -F "server ${MARIADB_MAJOR}."'))).toBe(true);
    expect(runs.some((run) => run.includes('assemble-rootfs /rootfs mariadb-backup mbstream'))).toBe(true);
    expect(finalStage(file).instructions.filter((i) => i.keyword === 'COPY' && flagValue(i, 'from') === 'rootfs').map((i) => i.args)).toEqual(['/rootfs/ /']);
  });
});

describe('docker/Dockerfile.xtrabackup', () => {
  const { file } = load('docker/Dockerfile.xtrabackup');
  const repo = file.stages.find((stage) => stage.name === 'percona-apt');

  it('builds XtraBackup 8.0 unless told 8.4, each from its own Percona repository', () => {
    expect(file.globalArgs.get('XTRABACKUP_VERSION')).toBe('8.0');
    expect(caseArms(finalStage(file), 'package')).toEqual({ '8.0': 'percona-xtrabackup-80', '8.4': 'percona-xtrabackup-84' });
    expect(repo && caseArms(repo, 'repository')).toEqual({ '8.0': 'pxb-80', '8.4': 'pxb-84-lts' });
  });

  it("trusts only a Percona keyring that holds Percona's packaging key, and checks the tool version", () => {
    expect(repo && argDefault(file, 'PERCONA_FINGERPRINT', repo)).toBe('4D1BB29D63D98E422B2113B19334A25F8507EFA5');
    const runs = finalStage(file).instructions.filter((i) => i.keyword === 'RUN').map((i) => i.args);
    expect(runs.some((run) => run.includes('xtrabackup --version 2>&1 | grep -F "version ${XTRABACKUP_VERSION}."'))).toBe(true);
  });

  it('keeps curl and gnupg out of the final image: only the apt source and keyring are copied', () => {
    const copies = finalStage(file).instructions.filter((i) => i.keyword === 'COPY' && i.flags.includes('from=percona-apt'));
    expect(copies.map((i) => i.args)).toEqual(['/out/ /']);
  });
});
