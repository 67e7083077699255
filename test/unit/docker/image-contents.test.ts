import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseDockerIgnore } from '../../support/dockerfile/dockerignore.js';
import { IMAGES, ROOT, packageJson, readRepoFile } from '../../support/dockerfile/images.js';
import { finalStage, flagValue, parseDockerfile, splitWords, type Stage } from '../../support/dockerfile/parse.js';

const ignore = parseDockerIgnore(readRepoFile('.dockerignore'));

/** Sources and destination of a COPY (`COPY a b ./` → [[a, b], ./]). */
function copyPaths(args: string): { sources: string[]; destination: string } {
  const words = splitWords(args);
  return { sources: words.slice(0, -1), destination: words.at(-1) ?? '' };
}

/** Where each COPY of a stage lands, as absolute paths (relative ones are under the WORKDIR at that point). */
function copiedInto(stage: Stage): Array<{ from: string | undefined; sources: string[]; target: string }> {
  let workdir = '/';
  const copies: Array<{ from: string | undefined; sources: string[]; target: string }> = [];
  for (const instruction of stage.instructions) {
    if (instruction.keyword === 'WORKDIR') workdir = posix.resolve(workdir, instruction.args);
    if (instruction.keyword !== 'COPY') continue;
    const { sources, destination } = copyPaths(instruction.args);
    copies.push({ from: flagValue(instruction, 'from'), sources, target: posix.resolve(workdir, destination) });
  }
  return copies;
}

describe('.dockerignore', () => {
  it('keeps dependencies, build output, git, tests and local state out of the build context', () => {
    const excluded = ['node_modules', 'node_modules/fastify/package.json', 'dist/main.js', '.git', '.git/HEAD', 'test', 'test/unit/config.test.ts', 'bench-results', 'k8s', '.cluster', 'npm-debug.log', 'src/x.log', '.npmrc', '.env'];
    expect(excluded.filter((path) => !ignore.ignores(path))).toEqual([]);
  });

  it.each(IMAGES)('lets in every file $dockerfile copies from the context, and they exist', ({ dockerfile }) => {
    const file = parseDockerfile(readRepoFile(dockerfile));
    const fromContext = file.stages.flatMap((stage) => copiedInto(stage)).filter((copy) => copy.from === undefined).flatMap((copy) => copy.sources);
    const inBuild = fromContext.filter((source) => source !== '.');
    // The images FROM scratch also take the script that assembles their filesystem.
    expect(inBuild.filter((source) => source !== 'docker/assemble-rootfs.sh').sort()).toEqual(['package-lock.json', 'package-lock.json', 'package.json', 'package.json', 'src', 'tsconfig.json']);
    expect(inBuild.filter((source) => source === 'docker/assemble-rootfs.sh')).toEqual(finalStage(file).base === 'scratch' ? ['docker/assemble-rootfs.sh'] : []);
    expect(inBuild.filter((source) => ignore.ignores(source) || !existsSync(`${ROOT}${source}`))).toEqual([]);
    expect(ignore.ignores('src/main.ts')).toBe(false);
  });
});

describe('what the image ships', () => {
  // npm pack lists what the package publishes: the image must hold the same
  // runtime files, so neither can miss what the other has.
  const packed = (JSON.parse(execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as Array<{ files: Array<{ path: string }> }>)
    .flatMap((entry) => entry.files.map((f) => f.path))
    .filter((path) => !/(^|\/)(README|LICENSE|CHANGELOG)[^/]*$/i.test(path));

  it('packs the bin and package.json (read for --version) — run npm run build first if dist/ is missing', () => {
    expect(packed).toContain(packageJson().bin['mysql-sts-agent']);
    expect(packed).toContain('package.json');
  });

  it.each(IMAGES)('$dockerfile copies every packed file into /app, from the stage that built it', ({ dockerfile }) => {
    const file = parseDockerfile(readRepoFile(dockerfile));
    const copies = copiedInto(finalStage(file)).filter((copy) => copy.from === 'build' || copy.from === 'deps');
    const missing = packed.filter((path) => !copies.some((copy) => `/app/${path}` === copy.target || `/app/${path}`.startsWith(`${copy.target}/`)));
    expect(missing).toEqual([]);
    // Each copy takes the same path from its stage, whose WORKDIR is /app too.
    expect(copies.map((copy) => [copy.from, copy.sources, copy.target])).toEqual([
      ['deps', ['/app/node_modules'], '/app/node_modules'],
      ['build', ['/app/package.json'], '/app/package.json'],
      ['build', ['/app/dist'], '/app/dist'],
    ]);
  });
});

describe('docker/build.sh', () => {
  const lines = execFileSync('bash', ['docker/build.sh', '--dry-run', '--platform', 'linux/amd64'], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, IMAGE: '' } })
    .trim()
    .split('\n')
    .map((line) => line.split(' '));
  const option = (words: string[], name: string): string[] => words.flatMap((word, i) => (word === name ? [words[i + 1] ?? ''] : []));

  it('builds the four images with the tags the manifests use, from the package version', () => {
    const version = packageJson().version;
    expect(lines.map((words) => [option(words, '-f')[0], option(words, '-t')[0]])).toEqual([
      ['docker/Dockerfile.plain', `ghcr.io/mysql-sts-agent/mysql-sts-agent:${version}`],
      ['docker/Dockerfile.mariadb', `ghcr.io/mysql-sts-agent/mysql-sts-agent:${version}-mariadb-10.11`],
      ['docker/Dockerfile.xtrabackup', `ghcr.io/mysql-sts-agent/mysql-sts-agent:${version}-xtrabackup-8.0`],
      ['docker/Dockerfile.xtrabackup', `ghcr.io/mysql-sts-agent/mysql-sts-agent:${version}-xtrabackup-8.4`],
    ]);
  });

  it('passes the version, the XtraBackup version of the tag, and extra options to every build', () => {
    expect(lines.map((words) => [words.slice(0, 3).join(' '), option(words, '--platform'), words.at(-1)])).toEqual(
      Array.from({ length: 4 }, () => ['docker buildx build', ['linux/amd64'], '.']),
    );
    expect(lines.map((words) => option(words, '--build-arg').filter((arg) => !arg.startsWith('REVISION=')))).toEqual([
      [`VERSION=${packageJson().version}`],
      [`VERSION=${packageJson().version}`],
      [`VERSION=${packageJson().version}`, 'XTRABACKUP_VERSION=8.0'],
      [`VERSION=${packageJson().version}`, 'XTRABACKUP_VERSION=8.4'],
    ]);
  });
});
