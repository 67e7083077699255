import { join } from 'node:path';

/**
 * Where the agent keeps its state (ARCHITECTURE.md, "The data directory"): its
 * own dir on the data volume, outside the data dir, because MariaDB takes every
 * directory of the data dir for a database (`mariadb-dump --all-databases`
 * fails on one it cannot name). Only a clone's staging dir is in the data dir,
 * so moving files into place is a rename, and only while init runs.
 */
export const DATA_DIR_AGENT_DIR = '.mysql-sts-agent';

/** The data dir's half of the marker's proof (see marker.ts): a plain file, so `rm -rf <data dir>/*` takes it with the data. */
export const DATA_DIR_ID_FILE = 'mysql-sts-agent.id';

export interface DataDirLayout {
  readonly dataDir: string;
  /** The agent's state dir (`STATE_DIR`): marker, clone record, clone request. */
  readonly stateDir: string;
  /** Written last: its presence means "the data dir it names is complete and ours". */
  readonly marker: string;
  /** The marker of a data dir found gone: this pod held data, so it never starts empty (see prepare-data-dir.ts). */
  readonly lost: string;
  readonly cloneInfo: string;
  /** Init's decision to clone with the CLONE plugin, which the sidecar carries out (see clone-request.ts). */
  readonly cloneRequest: string;
  /** In the data dir: the staging dir's parent, and where agents before 0.2 kept their state. */
  readonly dataDirAgentDir: string;
  /** A clone in progress: everything in it is thrown away unless the marker follows. */
  readonly staging: string;
  readonly dataDirId: string;
}

export function dataDirLayout(dataDir: string, stateDir: string): DataDirLayout {
  const dataDirAgentDir = join(dataDir, DATA_DIR_AGENT_DIR);
  return {
    dataDir,
    stateDir,
    marker: join(stateDir, 'initialized'),
    lost: join(stateDir, 'lost'),
    cloneInfo: join(stateDir, 'clone.json'),
    cloneRequest: join(stateDir, 'clone-request.json'),
    dataDirAgentDir,
    staging: join(dataDirAgentDir, 'staging'),
    dataDirId: join(dataDir, DATA_DIR_ID_FILE),
  };
}
