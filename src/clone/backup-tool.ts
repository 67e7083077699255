import type { Flavor } from '../mysql/server-version.js';

/**
 * Command lines of the physical backup tools. Pure, so every flavour's
 * commands are unit-tested even where the tool cannot run (XtraBackup here).
 * Credentials never appear in these argv lists: they come from an option
 * file (`--defaults-extra-file`, which must be the first argument).
 */

export interface Command {
  readonly file: string;
  readonly args: readonly string[];
}

export interface BackupCommandInput {
  readonly flavor: Flavor;
  /** 0600 option file with the connection settings and password. */
  readonly optionFile: string;
  readonly dataDir: string;
  /** Scratch dir the tool needs even when streaming. */
  readonly scratchDir: string;
  readonly parallel: number;
}

/** mariadb-backup or xtrabackup, as an image ships it. */
export function backupToolOf(flavor: Flavor): string {
  return flavor === 'mariadb' ? 'mariadb-backup' : 'xtrabackup';
}

export function extractToolOf(flavor: Flavor): string {
  return flavor === 'mariadb' ? 'mbstream' : 'xbstream';
}

export function backupCommand(input: BackupCommandInput): Command {
  return {
    file: backupToolOf(input.flavor),
    args: [
      `--defaults-extra-file=${input.optionFile}`,
      '--backup',
      '--stream=xbstream',
      `--datadir=${input.dataDir}`,
      `--target-dir=${input.scratchDir}`,
      `--parallel=${input.parallel}`,
      // The redo log is copied every log-copy-interval ms (default 1000) and a
      // backup ends only after one more copy, so a short interval takes about a
      // second off every clone at little cost.
      '--log-copy-interval=50',
    ],
  };
}

/** Unpacks an xbstream read from stdin into `dir`. */
export function extractCommand(flavor: Flavor, dir: string, parallel: number): Command {
  return { file: extractToolOf(flavor), args: ['-x', '-C', dir, `--parallel=${parallel}`] };
}

/** Applies the redo log so the files are a consistent, startable data dir. */
export function prepareCommand(flavor: Flavor, dir: string): Command {
  return { file: backupToolOf(flavor), args: ['--prepare', `--target-dir=${dir}`] };
}

/**
 * An option file with the connection settings. Values are double-quoted with
 * backslash escapes, as the MySQL option-file parser reads them, so any
 * password survives.
 */
export function renderOptionFile(input: {
  group: string;
  user: string;
  password: string;
  host?: string;
  port?: number;
  socket?: string;
}): string {
  const lines = [`[${input.group}]`, `user=${quote(input.user)}`, `password=${quote(input.password)}`];
  if (input.host !== undefined) lines.push(`host=${quote(input.host)}`);
  if (input.port !== undefined) lines.push(`port=${input.port}`);
  if (input.socket !== undefined) lines.push(`socket=${quote(input.socket)}`);
  return `${lines.join('\n')}\n`;
}

/** The option-file parser reads line by line: a raw newline would end the value and start a new option. */
function quote(value: string): string {
  const escaped = value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
  return `"${escaped}"`;
}
