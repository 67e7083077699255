import { InterruptedError } from '../errors.js';

const SHUTDOWN_SIGNALS: readonly NodeJS.Signals[] = ['SIGTERM', 'SIGINT'];

/**
 * Calls `onSignal` with the first of SIGTERM (kubelet) or SIGINT (a human at a
 * terminal); later ones are ignored. The handlers stay registered: execa's
 * exit cleanup re-raises a signal when it sees no other listener, which would
 * kill us in the middle of a clean shutdown. Registering them at all matters
 * as much: node as PID 1 (the images) ignores a signal it has no handler for.
 */
function onFirstShutdownSignal(onSignal: (signal: NodeJS.Signals) => void): void {
  let received = false;
  const handler = (signal: NodeJS.Signals) => {
    if (received) return;
    received = true;
    onSignal(signal);
  };
  for (const signal of SHUTDOWN_SIGNALS) process.on(signal, handler);
}

/** Resolves with the first shutdown signal (the sidecar then closes its servers and loop). */
export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => onFirstShutdownSignal(resolve));
}

/**
 * An AbortSignal that aborts on the first shutdown signal, with an
 * InterruptedError as its reason: init threads it through every wait instead
 * of exiting from the handler, so children are ended and the data dir is
 * cleaned before the process exits (ARCHITECTURE.md, "Stopping init").
 */
export function abortOnShutdownSignal(): AbortSignal {
  const controller = new AbortController();
  onFirstShutdownSignal((signal) => controller.abort(new InterruptedError(signal)));
  return controller.signal;
}
