import { mkdir, rm } from 'node:fs/promises';
/** One way of getting mysql-0's data into a prepared data dir, timed. */
export type MethodKey = 'agent' | 'raw' | 'relay';

export interface RunTiming {
  /** Start to prepared files on disk: what the table compares. */
  readonly seconds: number;
  /** Backup streamed and unpacked (for the agent: from its first "cloning" log line to "received"). */
  readonly streamSeconds: number;
  /** `--prepare` (for the agent: prepare plus moving the files into place and the marker). */
  readonly prepareSeconds: number;
  /** The rest: for the agent, node start-up, discovery, asking peers, exit; for the baselines, ~0. */
  readonly otherSeconds: number;
  /** Bytes of xbstream that crossed the transport, when the method knows. */
  readonly streamBytes?: number;
  /** Method-specific numbers (e.g. the donor's own backup time), printed and kept in the JSON. */
  readonly extra?: Readonly<Record<string, number | string>>;
}

export interface Method {
  readonly key: MethodKey;
  readonly label: string;
  /** Untimed: brings the target back to empty, so every run does the whole job. */
  reset(): Promise<void>;
  run(): Promise<RunTiming>;
  /** Host path of the prepared data dir the last run produced, for the sanity check. */
  readonly resultDir: string;
}

/** Empties (or creates) the dirs a method writes, so every run starts from nothing. */
export async function freshDirs(...dirs: string[]): Promise<void> {
  for (const dir of dirs) {
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
  }
}
