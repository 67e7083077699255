import { execa, type ResultPromise } from 'execa';
import { fileURLToPath } from 'node:url';

/** The built CLI, as the container images run it. */
export const AGENT_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));

/** Runs the agent to completion with exactly `env` (plus PATH), never throwing on a non-zero exit. */
export function runAgent(args: readonly string[], env: Record<string, string>) {
  return execa('node', [AGENT_MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    extendEnv: false,
    reject: false,
    timeout: 30_000,
  });
}

/**
 * Starts a long-running agent command; the caller ends it by PID. `wrapper`
 * runs it under another command (`unshare --pid --fork`: node as PID 1, as in the images).
 */
export function startAgent(args: readonly string[], env: Record<string, string>, wrapper: readonly string[] = []): ResultPromise<{ reject: false }> {
  const [file = 'node', ...rest] = [...wrapper, 'node', AGENT_MAIN, ...args];
  return execa(file, rest, {
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env },
    extendEnv: false,
    reject: false,
  });
}
