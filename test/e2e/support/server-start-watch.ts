import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import { HTTP_PORT } from '../../cluster/agent.js';
import type { Pod } from '../../cluster/pod.js';
import type { E2eServer } from './servers.js';

/**
 * Watches one pod from outside, every few milliseconds: is its server running,
 * what does its data dir hold at that moment, and (CLONE plugin) is the pod
 * Ready? The failure ARCHITECTURE.md, "The data directory" names is a pod
 * serving a half-written clone:
 * - backup stream (MariaDB): the server must never run on a data dir without
 *   the completion marker, or beside a staging dir;
 * - CLONE plugin (MySQL): the server runs before the clone by design (empty,
 *   read-only, `clone-pending` to its peers) and the clone lands in it, so the
 *   rule is on readiness: /readyz never answers 200 while the data dir has no
 *   marker or still holds the clone request.
 */
export class ServerStartWatch {
  readonly violations: string[] = [];
  samples = 0;
  /** Samples that saw the server running in the pod: proves the watch can see one. */
  serverSamples = 0;
  /** Samples that saw a clone landing: a non-empty staging dir, or (CLONE plugin) a running server beside the clone request. */
  stagingSamples = 0;
  /** Answers of /readyz the watch judged (CLONE plugin only). */
  readinessSamples = 0;
  #timer: NodeJS.Timeout | undefined;
  #readiness: NodeJS.Timeout | undefined;
  #asking = false;

  constructor(
    private readonly pod: Pod,
    private readonly server: E2eServer,
  ) {}

  start(intervalMs = 10): void {
    this.#timer = setInterval(() => this.scan(), intervalMs);
    if (this.server.clone.method === 'clone-plugin') this.#readiness = setInterval(() => void this.#askReadiness(), 50);
  }

  stop(): void {
    clearInterval(this.#timer);
    clearInterval(this.#readiness);
  }

  scan(): void {
    const netns = this.#podNetns();
    if (netns === undefined) return;
    this.samples += 1;
    const { staging, marker, request } = this.#dataDir();
    const servers = pidsOf(this.server.daemon, netns);
    if (existsSync(staging) && safeReaddir(staging).length > 0) this.stagingSamples += 1;
    if (servers.length === 0) return;
    this.serverSamples += 1;
    if (this.server.clone.method === 'clone-plugin') {
      if (request) this.stagingSamples += 1;
      return;
    }
    if (!marker || existsSync(staging)) {
      this.violations.push(`${this.server.daemon} ${servers.join(',')} ran with marker=${marker} staging=${existsSync(staging)}`);
    }
  }

  /** One /readyz; a 200 is judged against the data dir as it is after the answer (the marker, once written, stays). */
  async #askReadiness(): Promise<void> {
    if (this.#asking || this.#podNetns() === undefined) return;
    this.#asking = true;
    try {
      const response = await this.pod.httpGet(HTTP_PORT, '/readyz', { timeoutMs: 1_000 });
      this.readinessSamples += 1;
      const { marker, request } = this.#dataDir();
      if (response.status === 200 && (!marker || request)) this.violations.push(`/readyz answered 200 with marker=${marker} clone-request=${request}`);
    } catch {
      // No sidecar yet, or the pod is going: nothing to judge.
    } finally {
      this.#asking = false;
    }
  }

  #dataDir(): { staging: string; marker: boolean; request: boolean } {
    return {
      staging: join(this.pod.paths.data, '.mysql-sts-agent', 'staging'),
      marker: existsSync(join(this.pod.paths.state, 'initialized')),
      request: existsSync(join(this.pod.paths.state, 'clone-request.json')),
    };
  }

  /** The pod's network namespace (`net:[inode]`), undefined while the pod does not exist. */
  #podNetns(): string | undefined {
    try {
      return readlinkSync(`/proc/${this.pod.pausePid}/ns/net`);
    } catch {
      return undefined;
    }
  }
}

function pidsOf(daemon: string, netns: string): number[] {
  return safeReaddir('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === daemon && readlinkSync(`/proc/${pid}/ns/net`) === netns;
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

function safeReaddir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}
