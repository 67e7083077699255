import type { DataDirState } from '../data-dir/state.js';
import type { DamagedFile } from '../data-dir/state-file.js';
import type { CloneAttemptReport } from '../clone/clone-plugin/report.js';
import type { CloneInfo } from '../data-dir/clone-info.js';
import type { InitProgress } from '../clone/init-progress.js';
import type { LagMethod } from '../health/lag.js';
import type { ReplicaStatus } from '../mysql/replica-status.js';

/**
 * The JSON a sidecar serves on /status, and init while it runs (with `init`
 * set and the server down): for humans (`mysql-sts-agent status`) and for
 * peers deciding whom to clone from. Peers read it across versions, so fields
 * are only ever added.
 */
export interface StatusDocument {
  readonly pod: string;
  /** The set this pod belongs to: a peer checks it before believing anything else here. */
  readonly set: { readonly statefulSet: string; readonly service: string; readonly namespace: string };
  readonly role: 'primary' | 'replica';
  readonly serverId: number;
  readonly reportHost: string;
  readonly podIp: string | null;
  readonly agentVersion: string;
  readonly startedAt: string;
  readonly ready: boolean;
  readonly reasons: readonly string[];
  readonly dataDir: DataDirState;
  /** The agent's own files found damaged when the sidecar started, each with what to do (absent from agents before it). */
  readonly damagedFiles?: readonly DamagedFile[];
  readonly server: {
    readonly up: boolean;
    readonly version: string | null;
    readonly flavor: 'mysql' | 'mariadb' | null;
    readonly readOnly: boolean | null;
    readonly gtidPosition: string | null;
    readonly error: string | null;
    readonly checkedAt: string | null;
  };
  /** Replicas only: the normalised replication status, null before it is configured. */
  readonly replication: ReplicaStatus | null;
  readonly lag: {
    readonly known: boolean;
    readonly seconds: number | null;
    /** Why it is unknown. */
    readonly reason: string | null;
    /**
     * What a known lag came from (LagMethod: the primary's heartbeat, the server's Seconds_Behind where that is
     * grossly higher, or the GTID snapshot bound where the heartbeat cannot measure or is stale); an unknown lag
     * says `heartbeat`, the method that could not measure it.
     */
    readonly method: LagMethod;
    /** Why a known lag is not the heartbeat's own age (methods `seconds-behind` and `gtid-snapshot`: the precision and the heartbeat's fault). */
    readonly note: string | null;
  } | null;
  readonly errant: string | null;
  readonly heartbeat: { readonly writes: number; readonly failures: number } | null;
  readonly lastError: string | null;
  readonly clone: CloneInfo | null;
  /** A CLONE-plugin clone this pod waits for or takes, until it is recorded in `clone`. */
  readonly cloning: (CloneAttemptReport & { readonly reason: string }) | null;
  /** Served by init (ARCHITECTURE.md, "Init answers peers"): its phase and clone progress; absent or null from a sidecar. */
  readonly init?: InitProgress | null;
}
