import { existsSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../../cluster/pod.js';

/**
 * Watches one pod from outside, every few milliseconds: is a mariadbd running
 * in it, and what does its data dir hold at that moment? A server running on a
 * data dir without the completion marker, or beside a staging dir, is a
 * half-written clone being started: the failure ARCHITECTURE.md, "The data directory" names.
 */
export class ServerStartWatch {
  readonly violations: string[] = [];
  samples = 0;
  /** Samples that saw a mariadbd in the pod: proves the watch can see one. */
  serverSamples = 0;
  /** Samples that saw a non-empty staging dir: proves it looked while a clone was landing. */
  stagingSamples = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(private readonly pod: Pod) {}

  start(intervalMs = 10): void {
    this.#timer = setInterval(() => this.scan(), intervalMs);
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  scan(): void {
    const agentDir = join(this.pod.paths.data, '.mysql-sts-agent');
    const netns = this.#podNetns();
    if (netns === undefined) return;
    this.samples += 1;
    const staging = join(agentDir, 'staging');
    if (existsSync(staging) && safeReaddir(staging).length > 0) this.stagingSamples += 1;
    const servers = mariadbdPidsIn(netns);
    if (servers.length === 0) return;
    this.serverSamples += 1;
    const marker = existsSync(join(agentDir, 'initialized'));
    if (!marker || existsSync(staging)) {
      this.violations.push(`mariadbd ${servers.join(',')} ran with marker=${marker} staging=${existsSync(staging)}`);
    }
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

function mariadbdPidsIn(netns: string): number[] {
  return safeReaddir('/proc')
    .filter((name) => /^\d+$/.test(name))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'mariadbd' && readlinkSync(`/proc/${pid}/ns/net`) === netns;
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
