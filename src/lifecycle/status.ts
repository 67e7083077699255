import { cloneReason } from '../clone/clone-plugin/report.js';
import type { DataDirState } from '../data-dir/state.js';
import type { DamagedFile } from '../data-dir/state-file.js';
import type { Config } from '../config.js';
import type { StatusDocument } from '../http/status-document.js';
import type { LoopState } from '../replication/loop-types.js';

/** Who is answering: the first fields of every /status document, the sidecar's and init's. */
export function podFields(config: Config, version: string, startedAt: Date): Pick<StatusDocument, 'pod' | 'set' | 'role' | 'serverId' | 'reportHost' | 'podIp' | 'agentVersion' | 'startedAt'> {
  const { identity } = config;
  return {
    pod: identity.podName,
    set: { statefulSet: identity.setName, service: identity.serviceName, namespace: identity.namespace },
    role: identity.role,
    serverId: identity.serverId,
    reportHost: identity.fqdn,
    podIp: config.podIp ?? null,
    agentVersion: version,
    startedAt: startedAt.toISOString(),
  };
}

/** The /status document from the loop's state: no SQL, only memory (and the data dir's marker). */
export function buildStatus(input: {
  config: Config;
  version: string;
  startedAt: Date;
  state: LoopState;
  dataDir: DataDirState;
  damaged: readonly DamagedFile[];
}): StatusDocument {
  const { config, state } = input;
  const { identity } = config;
  const { observation, server } = state;
  const lag = observation.lag;
  return {
    ...podFields(config, input.version, input.startedAt),
    ready: state.verdict.ready,
    reasons: state.verdict.reasons,
    dataDir: input.dataDir,
    damagedFiles: input.damaged,
    server: {
      up: observation.serverUp,
      version: server?.versionText ?? null,
      flavor: server?.version.flavor ?? null,
      readOnly: server?.readOnly ?? null,
      gtidPosition: server?.gtidPosition ?? null,
      error: observation.serverUp ? null : (observation.serverError ?? null),
      checkedAt: state.checkedAt?.toISOString() ?? null,
    },
    replication: observation.replication ?? null,
    lag:
      identity.role === 'primary' || lag === undefined
        ? null
        : lag.known
          ? { known: true, seconds: lag.seconds, reason: null, method: lag.method ?? 'heartbeat', note: lag.note ?? null }
          : { known: false, seconds: null, reason: lag.reason, method: 'heartbeat', note: null },
    errant: observation.errant ?? null,
    heartbeat: identity.role === 'primary' ? { writes: state.heartbeatWrites, failures: state.heartbeatFailures } : null,
    lastError: state.lastError ?? null,
    clone: state.cloneInfo ?? null,
    cloning: state.cloning === undefined ? null : { ...state.cloning, reason: cloneReason(state.cloning) },
    init: null,
  };
}
