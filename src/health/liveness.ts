/**
 * Liveness decisions, pure so they are tested without a loop or a server.
 * Two scopes, because a restart must hit what it can fix: `/livez` (the
 * sidecar's liveness probe) fails only when the agent itself is stuck, so a
 * dead mysqld never gets the sidecar restarted; `/healthz` adds whether mysqld
 * answered, for humans and monitors that want "is this pod's database alive".
 */

/** What a probe reports: ok, and why not when not. */
export interface ProbeResult {
  readonly ok: boolean;
  readonly reasons: readonly string[];
}

/** A check completes every second; this long without one means the loop is stuck. */
export const STALE_AFTER_MS = 10_000;

export interface LoopProgress {
  /** When the loop last completed a check; undefined before the first. */
  readonly checkedAt: Date | undefined;
  readonly startedAt: Date;
  readonly serverUp: boolean;
  readonly serverError: string | undefined;
}

export function agentLiveness(progress: LoopProgress, now: Date): ProbeResult {
  const sinceMs = now.getTime() - (progress.checkedAt ?? progress.startedAt).getTime();
  if (sinceMs <= STALE_AFTER_MS) return { ok: true, reasons: [] };
  return { ok: false, reasons: [`the agent's loop has not completed a check for ${Math.round(sinceMs / 1000)} s`] };
}

export function podHealth(progress: LoopProgress, now: Date): ProbeResult {
  const reasons = [...agentLiveness(progress, now).reasons];
  if (progress.checkedAt !== undefined && !progress.serverUp) reasons.push(`the server does not answer: ${progress.serverError ?? 'unknown'}`);
  return { ok: reasons.length === 0, reasons };
}
