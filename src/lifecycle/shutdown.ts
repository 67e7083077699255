/**
 * Resolves with the first of SIGTERM (kubelet) or SIGINT (a human at a terminal).
 * The handlers stay registered: execa's exit cleanup re-raises a signal when it
 * sees no other listener, which would kill us in the middle of a clean shutdown.
 */
export function waitForShutdownSignal(): Promise<NodeJS.Signals> {
  return new Promise((resolve) => {
    process.on('SIGTERM', resolve);
    process.on('SIGINT', resolve);
  });
}
