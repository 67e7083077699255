import { DEMO_USAGE, DemoUsageError, parseDemoArgs } from './args.js';
import { runDemo } from './main.js';

/** `npm run demo -- [--duration <s>] [--pods <n>] [--name <name>]`: see args.ts and main.ts. */
async function main(): Promise<number> {
  let command;
  try {
    command = parseDemoArgs(process.argv.slice(2));
  } catch (error) {
    if (!(error instanceof DemoUsageError)) throw error;
    console.error(`${error.message}\n${DEMO_USAGE}`);
    return 2;
  }
  if (command.kind === 'help') {
    console.log(DEMO_USAGE);
    return 0;
  }
  if (process.getuid?.() !== 0) {
    console.error('the demo makes network namespaces: run it as root');
    return 1;
  }
  return runDemo(command, process.stdout);
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(`demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
