import { spawn } from 'node:child_process';
import { DEMO_USAGE, DemoUsageError, parseDemoArgs, type DemoOptions } from './args.js';
import { runDemo } from './main.js';

/**
 * `npm run demo -- [--server mariadb|mysql] [--duration <s>] [--pods <n>] [--name <name>]`.
 *
 * Two processes: this launcher, in the terminal's process group, and the demo
 * itself in a session of its own. A Ctrl-C goes to the whole foreground group,
 * and would otherwise also kill the `ip` and `kill` commands the teardown runs,
 * leaving namespaces behind; the launcher relays each signal to the demo instead.
 */

const CHILD_ENV = 'MYSQL_STS_AGENT_DEMO_CHILD';

function parse(): DemoOptions | number {
  try {
    const command = parseDemoArgs(process.argv.slice(2));
    if (command.kind === 'run') return command;
    console.log(DEMO_USAGE);
    return 0;
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    console.error(`${error.message}\n${DEMO_USAGE}`);
    return 2;
  }
}

/** Runs this script again in its own session; resolves with its exit code. */
function launch(): Promise<number> {
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: { ...process.env, [CHILD_ENV]: '1' },
  });
  const relay = (signal: NodeJS.Signals): void => {
    child.kill(signal);
  };
  process.on('SIGINT', relay);
  process.on('SIGTERM', relay);
  return new Promise((resolve) => {
    child.once('error', (error) => {
      console.error(`failed to start the demo: ${error.message}`);
      resolve(1);
    });
    child.once('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128 + 2)));
  });
}

async function main(): Promise<number> {
  const options = parse();
  if (typeof options === 'number') return options;
  if (process.getuid?.() !== 0) {
    console.error('the demo makes network namespaces: run it as root');
    return 1;
  }
  return process.env[CHILD_ENV] === '1' ? runDemo(options, process.stdout) : launch();
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
