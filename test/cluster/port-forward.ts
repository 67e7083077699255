import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ManagedProcess } from './processes.js';
import { canConnectUnix } from './unix-http.js';
import { GiveUp, waitFor } from './wait.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));
const FORWARDER = fileURLToPath(new URL('./forwarder.ts', import.meta.url));

/** Starts a process in the pod (the pod's `spawn`). */
export type SpawnInPod = (cmd: string, args: string[], opts: { label: string; cwd: string }) => ManagedProcess;

/**
 * One forwarder process per pod port, started on first use: the test side
 * gets a unix socket `<podDir>/port-<port>.sock` reaching 127.0.0.1:<port>
 * in the pod. Runs forwarder.ts through tsx (cwd = project root, where
 * `--import tsx` resolves).
 */
export class PortForwards {
  private readonly forwards = new Map<number, { proc: ManagedProcess; socket: string }>();

  constructor(
    private readonly podName: string,
    private readonly podDir: string,
    private readonly spawn: SpawnInPod,
  ) {}

  async forward(port: number): Promise<string> {
    const existing = this.forwards.get(port);
    if (existing?.proc.alive === true) return existing.socket;
    const socket = join(this.podDir, `port-${port}.sock`);
    rmSync(socket, { force: true });
    const args = ['--import', 'tsx', FORWARDER, socket, String(port)];
    const proc = this.spawn(process.execPath, args, { label: `forward-${port}`, cwd: PROJECT_ROOT });
    this.forwards.set(port, { proc, socket });
    await waitFor(
      async () => {
        if (!proc.alive) throw new GiveUp(new Error(`failed to start the forwarder for port ${port} in ${this.podName}`));
        return (await canConnectUnix(socket)) ? true : undefined;
      },
      { what: `the forwarder for port ${port} in ${this.podName}`, timeoutMs: 15_000 },
    );
    return socket;
  }

  /** After the pod's processes are gone: remove the sockets. */
  clear(): void {
    for (const { socket } of this.forwards.values()) rmSync(socket, { force: true });
    this.forwards.clear();
  }
}
