import { describe, expect, it } from 'vitest';
import { buildHttpApp } from '../../../src/http/app.js';
import { createMetricsRegistry } from '../../../src/http/metrics.js';
import { deriveIdentity } from '../../../src/identity/identity.js';
import { createLogger } from '../../../src/log.js';

const identity = deriveIdentity({
  pod: { setName: 'mysql', ordinal: 1 },
  names: { serviceName: 'mysql', namespace: 'default', clusterDomain: 'cluster.local' },
  serverIdOffset: 100,
});

function app(health = { ok: true, reasons: [] as string[] }, alive = { ok: true, reasons: [] as string[] }) {
  return buildHttpApp({
    logger: createLogger({ level: 'silent', pod: identity.podName, phase: 'serve' }),
    registry: createMetricsRegistry({ identity, version: '9.9.9' }),
    alive: () => alive,
    health: () => health,
    readiness: () => ({ ok: false, reasons: ['lag unknown: no heartbeat received yet'] }),
    status: () => ({ pod: identity.podName }),
  });
}

describe('HTTP app', () => {
  it('answers /healthz with 200 or 503 and the reasons', async () => {
    expect((await app().inject('/healthz')).statusCode).toBe(200);
    const down = await app({ ok: false, reasons: ['mysqld does not answer'] }).inject('/healthz');
    expect(down.statusCode).toBe(503);
    expect(down.json()).toEqual({ ok: false, reasons: ['mysqld does not answer'] });
  });

  it('answers /livez from the agent-only probe, independent of /healthz', async () => {
    const serverDown = app({ ok: false, reasons: ['mysqld does not answer'] });
    expect((await serverDown.inject('/livez')).statusCode).toBe(200);
    const stuck = await app(undefined, { ok: false, reasons: ["the agent's loop has not completed a check for 12 s"] }).inject('/livez');
    expect(stuck.statusCode).toBe(503);
    expect(stuck.json()).toEqual({ ok: false, reasons: ["the agent's loop has not completed a check for 12 s"] });
  });

  it('serves Prometheus text with the agent info and default process metrics, all prefixed mysql_sts_', async () => {
    const response = await app().inject('/metrics');
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(response.body).toContain('mysql_sts_agent_info{pod="mysql-1",role="replica",version="9.9.9"} 1');
    expect(response.body).toContain('mysql_sts_process_resident_memory_bytes');
    const names = response.body
      .split('\n')
      .filter((line) => line !== '' && !line.startsWith('#'))
      .map((line) => line.split(/[{ ]/)[0]);
    expect(names.every((name) => name?.startsWith('mysql_sts_'))).toBe(true);
  });

  it('keeps registries apart: two apps do not share metrics state', async () => {
    const first = await app().inject('/metrics');
    const second = await app().inject('/metrics');
    expect(first.statusCode).toBe(200);
    expect(second.body.match(/^mysql_sts_agent_info/gm)).toHaveLength(1);
  });

  it('answers /readyz with 503 and the reasons when not ready', async () => {
    const response = await app().inject('/readyz');
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({ ok: false, reasons: ['lag unknown: no heartbeat received yet'] });
  });

  it('answers unknown paths with 404', async () => {
    expect((await app().inject('/nope')).statusCode).toBe(404);
  });
});
