import { parseArgs } from 'node:util';
import type { Flavor } from '../../src/mysql/server-version.js';
import { SERVER_CASES, type ServerCase } from '../support/server-sql.js';

export const DEMO_USAGE = `usage: npm run demo -- [--server mariadb|mysql] [--duration <seconds>] [--pods <n>] [--name <name>]

  --server <server>     mariadb: MariaDB 10.11 pods (k8s/overlays/mariadb-10.11), clones streamed with mariadb-backup (default)
                        mysql: MySQL 9.7 pods (k8s/overlays/mysql-9.7), clones with the CLONE plugin (each restarts its server once)

  --duration <seconds>  run that long once every pod is Ready, then print the summary and tear down
                        (default: until Ctrl-C)
  --pods <n>            pods in the StatefulSet, 1 to 9 (default 3)
  --name <name>         cluster name: its files are under /tmp/mysql-sts-agent-cluster/<name> (default demo)
  -h, --help            print this help`;

/** The servers the demo runs: those the tests run (`SERVER_CASES`), by flavour. */
export function demoServer(flavor: Flavor): ServerCase {
  const found = SERVER_CASES.find((serverCase) => serverCase.flavor === flavor);
  if (found === undefined) throw new Error(`the demo has no ${flavor} server`);
  return found;
}

export interface DemoOptions {
  kind: 'run';
  server: Flavor;
  durationSeconds: number | undefined;
  pods: number;
  name: string;
}

export type DemoCommand = DemoOptions | { kind: 'help' };

/** Thrown for a bad command line; the CLI prints it with the usage and exits 2. */
export class DemoUsageError extends Error {}

const NAME = /^[a-z0-9][a-z0-9-]{0,30}$/;

function integer(flag: string, text: string | undefined, min: number, max: number): number | undefined {
  if (text === undefined) return undefined;
  const value = Number(text);
  if (!/^\d+$/.test(text) || value < min || value > max) {
    throw new DemoUsageError(`--${flag} ${JSON.stringify(text)}: expected a whole number from ${min} to ${max}`);
  }
  return value;
}

function serverOf(text: string | undefined): Flavor {
  if (text === undefined) return 'mariadb';
  const found = SERVER_CASES.find((serverCase) => serverCase.flavor === text);
  if (found === undefined) throw new DemoUsageError(`--server ${JSON.stringify(text)}: expected ${SERVER_CASES.map((serverCase) => serverCase.flavor).join(' or ')}`);
  return found.flavor;
}

/** Parses the demo's argv (after the script name). */
export function parseDemoArgs(argv: readonly string[]): DemoCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
        server: { type: 'string' },
        duration: { type: 'string' },
        pods: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    throw new DemoUsageError((error as Error).message);
  }
  const { values } = parsed;
  if (values.help === true) return { kind: 'help' };
  const name = values.name ?? 'demo';
  if (!NAME.test(name)) throw new DemoUsageError(`--name ${JSON.stringify(name)}: expected lowercase letters, digits and '-' (at most 31)`);
  return {
    kind: 'run',
    server: serverOf(values.server),
    durationSeconds: integer('duration', values.duration, 1, 86_400),
    pods: integer('pods', values.pods, 1, 9) ?? 3,
    name,
  };
}
