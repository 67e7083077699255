import { Counter, Gauge, type Registry } from 'prom-client';
import type { Lag } from '../health/lag.js';
import type { LoopState } from '../replication/loop-types.js';
import { errantCount } from '../replication/errant.js';
import { METRIC_PREFIX as P } from './metrics.js';

/** 0 for long on every replica is what an alert reads as "the primary's heartbeat writer is down", even when the primary exports nothing. */
const FROM_HEARTBEAT_HELP =
  "1 when the lag came from the primary's heartbeat, 0 when from the GTID snapshot bound (the heartbeat missing, unusable or stale); NaN while unknown.";

function fromHeartbeat(lag: Lag | undefined): number | undefined {
  if (lag?.known !== true) return undefined;
  return lag.method === 'gtid-snapshot' ? 0 : 1;
}

/**
 * The control loop's state as metrics (ARCHITECTURE.md, "HTTP surface and metrics"). Values are read from
 * the loop's memory at scrape time: a scrape never runs SQL. Names do not
 * depend on the server version. Lag is NaN while unknown, and
 * `..._lag_known` says 0: an unknown lag must never read as 0 s.
 */
export function registerLoopMetrics(registry: Registry, state: () => LoopState, role: 'primary' | 'replica'): void {
  const gauge = (name: string, help: string, read: (s: LoopState) => number | undefined) =>
    new Gauge({
      name: `${P}${name}`,
      help,
      registers: [registry],
      collect() {
        // prom-client always prints an unlabelled gauge; NaN is how "no value" reads in Prometheus.
        this.set(read(state()) ?? Number.NaN);
      },
    });
  const counter = (name: string, help: string, read: (s: LoopState) => number) =>
    new Counter({
      name: `${P}${name}`,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read(state()));
      },
    });
  const flag = (value: boolean | undefined) => (value === undefined ? undefined : value ? 1 : 0);
  const replication = (s: LoopState) => s.observation.replication;
  const lag = (s: LoopState) => s.observation.lag;

  gauge('server_up', '1 when the local server answers.', (s) => flag(s.observation.serverUp));
  gauge('role_primary', '1 on the primary (ordinal 0), 0 on replicas.', () => (role === 'primary' ? 1 : 0));
  gauge('ready', '1 when /readyz answers 200.', (s) => flag(s.verdict.ready));
  if (role === 'primary') {
    counter('heartbeat_writes_total', 'Heartbeats written.', (s) => s.heartbeatWrites);
    counter('heartbeat_failures_total', 'Heartbeat writes that failed.', (s) => s.heartbeatFailures);
    return;
  }
  counter('replication_read_only_restored_total', 'Times the replica was found writable (read_only or super_read_only off) and set read-only again.', (s) => s.readOnlyRestores);
  gauge('replication_io_running', '1 when the replication IO thread runs.', (s) => flag(replication(s)?.ioRunning));
  gauge('replication_sql_running', '1 when the replication SQL thread runs.', (s) => flag(replication(s)?.sqlRunning));
  gauge('replication_last_io_errno', 'Last IO thread error number (0: none).', (s) => replication(s)?.lastIoErrno);
  gauge('replication_last_sql_errno', 'Last SQL thread error number (0: none).', (s) => replication(s)?.lastSqlErrno);
  gauge('replication_lag_seconds', "Replica clock minus the last applied heartbeat of the primary, never below Seconds_Behind while both threads run, or the GTID snapshot bound where that is lower by more than 2 s; NaN while unknown.", (s) => {
    const value = lag(s);
    return value?.known ? value.seconds : undefined;
  });
  gauge('replication_lag_known', '1 when the lag is known.', (s) => flag(lag(s)?.known ?? false));
  gauge('replication_lag_from_heartbeat', FROM_HEARTBEAT_HELP, (s) => fromHeartbeat(lag(s)));
  gauge(
    'replication_seconds_behind_source_seconds',
    "The server's own Seconds_Behind_Source/Master, for comparison only; NaN when NULL.",
    (s) => replication(s)?.secondsBehind ?? undefined,
  );
  gauge(
    'replication_errant_transactions',
    'GTIDs this replica has that the primary lacks (MySQL: transactions; MariaDB: errant domain/server origins, a lower bound).',
    (s) =>
    s.server ? errantCount(s.server.version.flavor, s.observation.errant) : undefined,
  );
}
