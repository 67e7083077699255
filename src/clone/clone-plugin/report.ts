import type { ClonePluginProgress } from './statements.js';

/** Where this pod's CLONE-plugin clone is, for /status, metrics, logs and the readiness reason. */
export interface CloneAttemptReport {
  readonly phase: 'starting' | 'choosing-donor' | 'cloning' | 'restarting' | 'waiting' | 'refused' | 'done';
  readonly donor: string | undefined;
  readonly progress: ClonePluginProgress | undefined;
  /** Why the last attempt failed, or why the clone is refused. */
  readonly lastError: string | undefined;
  readonly failures: number;
}

/** The log fields of a progress sample, in the stream clone's units. */
export function describeProgress(progress: ClonePluginProgress): { stage: string; bytes: number; expectedBytes: number; mbPerSecond: number } {
  return {
    stage: progress.stage,
    bytes: progress.bytes,
    expectedBytes: progress.estimatedBytes,
    mbPerSecond: Math.round((progress.bytesPerSecond / 1_048_576) * 10) / 10,
  };
}

/** One line that says why the pod is not Ready while it is being cloned. */
export function cloneReason(report: CloneAttemptReport): string {
  const from = report.donor === undefined ? '' : ` from ${report.donor}`;
  switch (report.phase) {
    case 'starting':
    case 'choosing-donor':
      return 'waiting to clone: choosing a donor';
    case 'cloning': {
      const progress = report.progress;
      if (progress === undefined || progress.estimatedBytes === 0) return `cloning${from}`;
      const percent = Math.min(100, Math.floor((progress.bytes / progress.estimatedBytes) * 100));
      return `cloning${from}: ${progress.stage} ${percent}% (${mib(progress.bytes)} of ${mib(progress.estimatedBytes)} MiB)`;
    }
    case 'restarting':
      return `cloning${from}: the server restarts to finish the clone`;
    case 'waiting':
      return `waiting to clone: ${report.lastError ?? 'no donor yet'}`;
    case 'refused':
      return `not cloning: ${report.lastError ?? 'refused'}`;
    case 'done':
      return `cloned${from}`;
  }
}

function mib(bytes: number): string {
  return (bytes / 1_048_576).toFixed(0);
}
