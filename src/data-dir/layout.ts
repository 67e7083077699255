import { join } from 'node:path';

/**
 * Where the agent keeps its own state on the data volume (ARCHITECTURE.md,
 * "The data directory"): a hidden dir in the data dir, so a clone's staging dir
 * sits on the same filesystem and moving files into place is a rename.
 */
export const AGENT_DIR = '.mysql-sts-agent';

export interface DataDirLayout {
  readonly dataDir: string;
  readonly agentDir: string;
  /** Written last: its presence means "this data dir is complete and ours". */
  readonly marker: string;
  /** A clone in progress: everything in it is thrown away unless the marker follows. */
  readonly staging: string;
  readonly cloneInfo: string;
  /** Init's decision to clone with the CLONE plugin, which the sidecar carries out (see clone-request.ts). */
  readonly cloneRequest: string;
}

export function dataDirLayout(dataDir: string): DataDirLayout {
  const agentDir = join(dataDir, AGENT_DIR);
  return {
    dataDir,
    agentDir,
    marker: join(agentDir, 'initialized'),
    staging: join(agentDir, 'staging'),
    cloneInfo: join(agentDir, 'clone.json'),
    cloneRequest: join(agentDir, 'clone-request.json'),
  };
}
