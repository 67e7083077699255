#!/usr/bin/env node
import { truncateSync, writeFileSync } from 'node:fs';
import { parseCommandLine, USAGE, type CommandName } from './cli/args.js';
import { loadClientConfig, loadConfig, terminationLogPath } from './config.js';
import { ExitCode, UsageError, exitCodeOf, oneLine } from './errors.js';
import { abortOnShutdownSignal } from './lifecycle/shutdown.js';
import { createLogger } from './log.js';
import { agentVersion } from './version.js';

/**
 * The only place that maps errors to exit codes. A failure ends with exactly
 * one plain line on stderr saying what to fix (and, for init, the same line in
 * the termination log that `kubectl describe pod` shows).
 */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  let command: CommandName | undefined;
  try {
    const line = parseCommandLine(argv);
    if (line.kind === 'help') return print(`${USAGE}\n`);
    if (line.kind === 'version') return print(`${agentVersion()}\n`);
    command = line.command;
    await runCommand(line.command, { json: line.json, url: line.url }, env);
    return ExitCode.ok;
  } catch (error) {
    const message = oneLine(error);
    process.stderr.write(`mysql-sts-agent${command ? ` ${command}` : ''}: ${message}\n`);
    if (error instanceof UsageError) process.stderr.write(`\n${USAGE}\n`);
    if (command === 'init') writeTerminationLog(terminationLogPath(env), message);
    return exitCodeOf(error);
  }
}

async function runCommand(
  command: CommandName,
  flags: { json: boolean; url: string | undefined },
  env: NodeJS.ProcessEnv,
): Promise<void> {
  const write = (text: string) => void process.stdout.write(text);
  // Each command loads only its own code: init must not pay for fastify, prom-client and mysql2.
  if (command === 'status') {
    const client = loadClientConfig(env);
    const { runStatus } = await import('./cli/status.js');
    await runStatus({ url: flags.url ?? `http://127.0.0.1:${client.httpPort}`, json: flags.json, write });
    return;
  }
  // Before anything else: node as PID 1 (the images) ignores SIGTERM until it has a handler, and init must stop when told.
  const stop = command === 'init' ? abortOnShutdownSignal() : undefined;
  const config = loadConfig(env);
  const logger = createLogger({
    level: config.logLevel,
    pod: config.identity.podName,
    phase: command,
    fd: command === 'peers' ? 2 : 1,
  });
  if (stop !== undefined) await (await import('./lifecycle/init.js')).runInit(config, logger, stop, agentVersion());
  else if (command === 'serve') await (await import('./lifecycle/serve.js')).runServe(config, logger, agentVersion());
  else await (await import('./cli/peers.js')).runPeers({ config, logger, json: flags.json, write });
}

function print(text: string): number {
  process.stdout.write(text);
  return ExitCode.ok;
}

/**
 * The kubelet creates the termination log in every container; we only write to
 * one that exists ('r+'), so running outside a pod never creates files in /dev.
 */
function writeTerminationLog(path: string | undefined, message: string): void {
  if (!path) return;
  try {
    writeFileSync(path, `${message}\n`, { flag: 'r+' });
    truncateSync(path, Buffer.byteLength(`${message}\n`));
  } catch {
    // not in a pod, or not writable: stderr already has the line
  }
}

process.exitCode = await main(process.argv.slice(2), process.env);
