import { readFileSync } from 'node:fs';
import { backupCommand, extractCommand, prepareCommand } from '../../../src/clone/backup-tool.js';
import type { Flavor } from '../../../src/mysql/server-version.js';
import type { RequiredTool } from './rules.js';

/** The repository root, where docker/, package.json and .dockerignore are. */
export const ROOT = new URL('../../../', import.meta.url).pathname;

export function readRepoFile(path: string): string {
  return readFileSync(`${ROOT}${path}`, 'utf8');
}

export interface ImageSpec {
  readonly dockerfile: string;
  /** The flavour whose backup tools the image carries; undefined for the plain image (the CLONE plugin needs none). */
  readonly flavor: Flavor | undefined;
}

export const IMAGES: readonly ImageSpec[] = [
  { dockerfile: 'docker/Dockerfile.plain', flavor: undefined },
  { dockerfile: 'docker/Dockerfile.mariadb', flavor: 'mariadb' },
  { dockerfile: 'docker/Dockerfile.xtrabackup', flavor: 'mysql' },
];

/** Debian and Percona packages that ship each binary the agent can run. */
const PROVIDERS: Readonly<Record<string, readonly string[]>> = {
  'mariadb-backup': ['mariadb-backup'],
  mbstream: ['mariadb-backup'],
  xtrabackup: ['percona-xtrabackup-80', 'percona-xtrabackup-84'],
  xbstream: ['percona-xtrabackup-80', 'percona-xtrabackup-84'],
};

/**
 * The binaries the agent runs for a flavour, taken from the command lines it
 * builds (backup, extract, prepare), so that a new tool in backup-tool.ts
 * without a package here fails the image test.
 */
export function toolsOf(flavor: Flavor | undefined): RequiredTool[] {
  if (flavor === undefined) return [];
  const commands = [
    backupCommand({ flavor, optionFile: '/tmp/o.cnf', dataDir: '/var/lib/mysql', scratchDir: '/tmp/s', parallel: 1 }),
    extractCommand(flavor, '/tmp/x', 1),
    prepareCommand(flavor, '/tmp/x'),
  ];
  return [...new Set(commands.map((command) => command.file))].map((binary) => {
    const packages = PROVIDERS[binary];
    if (packages === undefined) throw new Error(`no package is known to provide ${binary}: add it to PROVIDERS`);
    return { binary, packages };
  });
}

export interface PackageJson {
  readonly version: string;
  readonly bin: Readonly<Record<string, string>>;
  readonly engines: { readonly node: string };
}

export function packageJson(): PackageJson {
  return JSON.parse(readRepoFile('package.json')) as PackageJson;
}
