import { AgentError } from '../errors.js';
import type { StatusDocument } from '../http/status-document.js';

/** `mysql-sts-agent status`: asks a sidecar's /status and prints it for a human, or as JSON. */
export async function runStatus(input: { url: string; json: boolean; write: (text: string) => void }): Promise<void> {
  const url = new URL('/status', input.url);
  let body: StatusDocument;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    body = (await response.json()) as StatusDocument;
  } catch (error) {
    throw new AgentError('server', `failed to read status from ${url.href}: ${(error as Error).message}; is the sidecar running?`, {
      cause: error,
    });
  }
  input.write(input.json ? `${JSON.stringify(body, null, 2)}\n` : formatStatus(body));
}

/** A few lines that answer what a DBA asks first: is it ready, and if not, why; how far behind; where it came from. */
export function formatStatus(status: StatusDocument): string {
  const lines = [`${status.pod} (${status.role}, server_id ${status.serverId}): ${status.ready ? 'READY' : 'NOT READY'}`];
  for (const reason of status.reasons) lines.push(`  - ${reason}`);
  const { server } = status;
  lines.push(
    server.up
      ? `server:      ${server.version ?? 'unknown version'}, ${server.readOnly ? 'read-only' : 'writable'}, GTID ${server.gtidPosition || '(empty)'}`
      : `server:      down (${server.error ?? 'unknown error'})`,
  );
  const replication = status.replication;
  if (replication) {
    lines.push(
      `replication: IO ${replication.ioState || 'No'}, SQL ${replication.sqlRunning ? 'Yes' : 'No'}, source ${replication.sourceHost}:${replication.sourcePort}`,
    );
    if (replication.lastIoErrno) lines.push(`  last IO error ${replication.lastIoErrno}: ${replication.lastIoError}`);
    if (replication.lastSqlErrno) lines.push(`  last SQL error ${replication.lastSqlErrno}: ${replication.lastSqlError}`);
  } else if (status.role === 'replica') {
    lines.push('replication: not configured');
  }
  if (status.lag) {
    const behind = status.replication?.secondsBehind;
    const lag = status.lag.known ? `${(status.lag.seconds ?? 0).toFixed(1)} s` : `unknown (${status.lag.reason ?? 'no reason given'})`;
    lines.push(`lag:         ${lag} by ${status.lag.method}; Seconds_Behind ${behind === null || behind === undefined ? 'NULL' : behind}`);
    if (status.lag.note) lines.push(`  ${status.lag.note}`);
  }
  if (status.errant) lines.push(`errant:      ${status.errant}`);
  if (status.heartbeat) lines.push(`heartbeat:   ${status.heartbeat.writes} written, ${status.heartbeat.failures} failed`);
  if (status.cloning) lines.push(`cloning:     ${status.cloning.reason}${status.cloning.lastError ? ` (last error: ${status.cloning.lastError})` : ''}`);
  lines.push(
    status.clone
      ? `clone:       from ${status.clone.donor}, ${(status.clone.bytes / 1_048_576).toFixed(0)} MB in ${status.clone.seconds.toFixed(1)} s (${status.clone.finishedAt})`
      : `data dir:    ${status.dataDir} (not cloned)`,
  );
  lines.push(`agent:       ${status.agentVersion}, up since ${status.startedAt}, ${status.reportHost}`);
  return `${lines.join('\n')}\n`;
}
