/** Which server family and version we talk to; every SQL and config dialect choice keys off this. */

export type Flavor = 'mysql' | 'mariadb';

export interface ServerVersion {
  readonly flavor: Flavor;
  readonly major: number;
  readonly minor: number;
  readonly patch: number;
}

/**
 * Parses a version string as servers report it (`SELECT VERSION()`: `8.0.36`,
 * `8.4.2-log`, `10.11.6-MariaDB-0+deb12u1-log`, or a short `8.4` from configuration).
 * The flavour comes from the text when it says MariaDB, else from `flavor`.
 */
export function parseServerVersion(text: string, flavor?: Flavor): ServerVersion {
  // MariaDB's handshake prefixes "5.5.5-" so that old MySQL clients accept it.
  const match = /^(?:5\.5\.5-(?=.*mariadb))?(\d+)\.(\d+)(?:\.(\d+))?/i.exec(text.trim());
  if (!match) {
    throw new Error(`server version ${JSON.stringify(text)} is not of the form <major>.<minor>[.<patch>]`);
  }
  const detected: Flavor = /mariadb/i.test(text) ? 'mariadb' : (flavor ?? guessFlavor(Number(match[1])));
  return {
    flavor: detected,
    major: Number(match[1]),
    minor: Number(match[2]),
    patch: match[3] === undefined ? 0 : Number(match[3]),
  };
}

/** MariaDB jumped to 10.x; MySQL went 5.7 → 8.x → 9.x. Only used when nothing else says. */
function guessFlavor(major: number): Flavor {
  return major >= 10 ? 'mariadb' : 'mysql';
}

export function versionAtLeast(version: ServerVersion, major: number, minor: number, patch = 0): boolean {
  if (version.major !== major) return version.major > major;
  if (version.minor !== minor) return version.minor > minor;
  return version.patch >= patch;
}

export function formatServerVersion(version: ServerVersion): string {
  const name = version.flavor === 'mariadb' ? 'MariaDB' : 'MySQL';
  return `${name} ${version.major}.${version.minor}.${version.patch}`;
}

/**
 * What we assume when the flavour is known but the version is not: the oldest
 * release whose syntax we emit (MySQL 8.0.26 brought the REPLICA names that 8.4
 * requires; MariaDB 10.6 is the oldest supported).
 */
export function defaultVersionOf(flavor: Flavor): ServerVersion {
  return flavor === 'mysql'
    ? { flavor, major: 8, minor: 0, patch: 26 }
    : { flavor, major: 10, minor: 6, patch: 0 };
}
