import { parseArgs } from 'node:util';
import { UsageError } from '../errors.js';

export const COMMANDS = ['init', 'serve', 'status', 'peers'] as const;
export type CommandName = (typeof COMMANDS)[number];

export type CommandLine =
  | { readonly kind: 'help' }
  | { readonly kind: 'version' }
  | { readonly kind: 'command'; readonly command: CommandName; readonly json: boolean; readonly url: string | undefined };

/** Which flags each command takes; any other flag is a usage error. */
const FLAGS_OF: Record<CommandName, readonly string[]> = {
  init: [],
  serve: [],
  status: ['json', 'url'],
  peers: ['json'],
};

export const USAGE = `Usage: mysql-sts-agent <command> [options]

Commands:
  init          init container: write the server's identity config (and clone an empty data dir)
  serve         sidecar: probes, status and metrics on HTTP_PORT (replication, heartbeat, clone donor)
  status        print a pod's state, read from its sidecar's /status
  peers         list the pods of the StatefulSet found through the headless Service's DNS SRV records

Options:
  --json        (status, peers) print JSON for scripts
  --url <url>   (status) the sidecar to ask; default http://127.0.0.1:<HTTP_PORT>
  -h, --help    print this help
  -V, --version print the version

Configuration comes from environment variables (secrets also from <NAME>_FILE); see README.
Exit codes: 0 ok, 1 internal error, 2 usage, 3 configuration, 4 discovery, 5 clone, 6 prepare, 7 server.`;

/** Parses argv (without node and the script); throws UsageError for anything unknown. */
export function parseCommandLine(argv: readonly string[]): CommandLine {
  let parsed: ReturnType<typeof parseOptions>;
  try {
    parsed = parseOptions(argv);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };
  const [command, ...extra] = positionals;
  if (command === undefined) throw new UsageError('no command given');
  if (!isCommand(command)) throw new UsageError(`unknown command ${JSON.stringify(command)}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(extra[0])}`);
  for (const flag of ['json', 'url'] as const) {
    if (values[flag] !== undefined && !FLAGS_OF[command].includes(flag)) {
      throw new UsageError(`${command} does not take --${flag}`);
    }
  }
  return { kind: 'command', command, json: values.json === true, url: values.url };
}

function parseOptions(argv: readonly string[]) {
  return parseArgs({
    args: [...argv],
    strict: true,
    allowPositionals: true,
    options: {
      help: { type: 'boolean', short: 'h' },
      version: { type: 'boolean', short: 'V' },
      json: { type: 'boolean' },
      url: { type: 'string' },
    },
  });
}

function isCommand(text: string): text is CommandName {
  return (COMMANDS as readonly string[]).includes(text);
}
