import { expect } from 'vitest';
import type { Pod } from '../../cluster/pod.js';
import { isAlive } from '../../cluster/processes.js';
import { sleep, waitFor } from '../../cluster/wait.js';
import { metricsOf, readyzOf, sample, statusOf, waitForReadyz } from '../../support/pod-probes.js';

/** What the pods say while mysql-0's server hangs (SIGSTOP): the halves of readiness.test.ts's hung-primary case. */

/** Once the IO thread gives up on the silent primary, the replica's lag is unknown, not a number, and it is not Ready. */
export async function expectLagUnknownWhileThePrimaryHangs(replica: Pod): Promise<void> {
  const document = await waitFor(
    async () => {
      const doc = await statusOf(replica);
      return doc.lag?.known === false ? doc : undefined;
    },
    { what: `${replica.name}'s /status to say the lag is unknown`, timeoutMs: 15_000, intervalMs: 200 },
  );
  expect(document.ready).toBe(false);
  expect(document.lag).toMatchObject({ known: false, seconds: null, method: 'heartbeat' });
  expect(document.lag?.reason).toMatch(/IO thread is down and the last heartbeat is [\d.]+ s old/);
  expect(document.replication?.ioRunning).toBe(false);

  const readyz = await readyzOf(replica);
  expect(readyz.status).toBe(503);
  expect(readyz.reasons).toContainEqual(expect.stringMatching(/^the IO thread is not running/));
  expect(readyz.reasons).toContainEqual(expect.stringMatching(/^lag unknown: /));

  // While the primary hangs the lag never reads 0: it is NaN with `known 0`.
  for (let i = 0; i < 5; i++) {
    const text = await metricsOf(replica);
    expect(sample(text, 'mysql_sts_replication_lag_known')).toBe('0');
    expect(sample(text, 'mysql_sts_replication_lag_seconds')).toBe('Nan');
    expect(sample(text, 'mysql_sts_replication_io_running')).toBe('0');
    expect(sample(text, 'mysql_sts_ready')).toBe('0');
    await sleep(300);
  }
}

/**
 * The primary's own sidecar notices that its server hangs: not Ready either
 * (its loop has a deadline); and SIGTERM still ends that sidecar promptly:
 * nothing waits on the hung server for ever.
 */
export async function expectThePrimarySidecarToGiveUpAndStop(primary: Pod): Promise<void> {
  const primaryOut = await waitForReadyz(primary, 503, { timeoutMs: 20_000, reasons: [/the server does not answer/] });
  expect(primaryOut.reasons.join(' ')).toMatch(/did not answer within|ETIMEDOUT/);

  const sidecar = primary.processes().find((record) => record.label === 'sidecar');
  if (sidecar === undefined) throw new Error(`${primary.name} has no sidecar`);
  const signalledAt = Date.now();
  process.kill(sidecar.pid, 'SIGTERM');
  await waitFor(async () => (isAlive(sidecar) ? undefined : true), { what: `${primary.name}'s sidecar to exit after SIGTERM`, timeoutMs: 10_000 });
  expect(Date.now() - signalledAt).toBeLessThan(10_000);
}
