import { parseArgs } from 'node:util';

export const DEMO_USAGE = `usage: npm run demo -- [--duration <seconds>] [--pods <n>] [--name <name>]

  --duration <seconds>  run that long once every pod is Ready, then print the summary and tear down
                        (default: until Ctrl-C)
  --pods <n>            pods in the StatefulSet, 1 to 9 (default 3)
  --name <name>         cluster name: its files are under /tmp/mysql-sts-agent-cluster/<name> (default demo)
  -h, --help            print this help`;

export interface DemoOptions {
  kind: 'run';
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

/** Parses the demo's argv (after the script name). */
export function parseDemoArgs(argv: readonly string[]): DemoCommand {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: false,
      strict: true,
      options: {
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
    durationSeconds: integer('duration', values.duration, 1, 86_400),
    pods: integer('pods', values.pods, 1, 9) ?? 3,
    name,
  };
}
