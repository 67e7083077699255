import type { CloneAttemptReport } from '../clone/clone-plugin/report.js';
import type { ClonePluginProvisioner } from '../clone/clone-plugin/provisioner.js';
import type { CloneInfo } from '../data-dir/clone-info.js';
import type { Observation, Verdict } from '../health/readiness.js';
import type { ServerAddress } from '../mysql/connection.js';
import type { SourceSettings } from '../mysql/dialect.js';
import type { ServerState } from '../mysql/server-state.js';
import type { UserSpec } from './primary.js';

/** What the sidecar's control loop is given, and what it keeps for probes, /status and /metrics. */

export interface LoopSettings {
  readonly role: 'primary' | 'replica';
  /** The local server as the agent's own least-privilege user. */
  readonly local: ServerAddress;
  /** The local server as root: only to create the users on the primary, or while a replica lacks the agent user. */
  readonly root: ServerAddress;
  /** Where replicas point: mysql-0's stable name, which mysqld resolves itself on every reconnect. */
  readonly source: SourceSettings;
  readonly primaryServerId: number;
  /** This pod's server_id and the directory init wrote its identity config to: the server must run with that id. */
  readonly identity: { readonly serverId: number; readonly confDir: string };
  /** The clone this data dir came from, as init recorded it. */
  readonly cloneInfo: CloneInfo | undefined;
  /** The CLONE plugin's donor-side user the primary ensures, when the set clones with it. */
  readonly cloneUser: UserSpec | undefined;
  /** Set while this pod's server waits for a CLONE-plugin clone: the loop drives it before anything else. */
  readonly provisioner: ClonePluginProvisioner | undefined;
  readonly intervalMs: number;
  readonly maxLagSeconds: number;
  readonly readyChecks: number;
}

/** Everything probes, /status and /metrics read: kept in memory, refreshed each tick. */
export interface LoopState {
  readonly checkedAt: Date | undefined;
  readonly server: ServerState | undefined;
  readonly observation: Observation;
  readonly verdict: Verdict;
  readonly heartbeatWrites: number;
  readonly heartbeatFailures: number;
  /** Replicas: how often the server was found writable and set read-only again. */
  readonly readOnlyRestores: number;
  readonly lastError: string | undefined;
  /** The clone this data dir came from (init's, or the CLONE plugin's once it completed). */
  readonly cloneInfo: CloneInfo | undefined;
  /** The CLONE-plugin clone in progress, until it is recorded. */
  readonly cloning: CloneAttemptReport | undefined;
}

/** Before the first check: nothing known, not Ready. */
export function initialLoopState(settings: LoopSettings): LoopState {
  const observation: Observation = {
    role: settings.role,
    serverUp: false,
    serverError: 'not checked yet',
    writable: undefined,
    replication: undefined,
    lag: undefined,
    errant: undefined,
  };
  return {
    checkedAt: undefined,
    server: undefined,
    observation,
    verdict: { ready: false, reasons: ['not checked yet'] },
    heartbeatWrites: 0,
    heartbeatFailures: 0,
    readOnlyRestores: 0,
    lastError: undefined,
    cloneInfo: settings.cloneInfo,
    cloning: settings.provisioner?.report,
  };
}
