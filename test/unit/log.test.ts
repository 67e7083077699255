import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/log.js';
import { Secret } from '../../src/secret.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger({ level: 'info', pod: 'mysql-1', phase: 'init', stream: { write: (line) => lines.push(line) } });
  return { logger, events: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>), lines };
}

describe('createLogger', () => {
  it('writes one JSON event per line with the pod, the phase and an ISO time', () => {
    const { logger, lines, events } = capture();
    logger.info({ bytes: 42 }, 'cloned');
    expect(lines).toHaveLength(1);
    expect(lines[0]?.trimEnd().includes('\n')).toBe(false);
    expect(events()[0]).toMatchObject({ level: 'info', pod: 'mysql-1', phase: 'init', bytes: 42, msg: 'cloned' });
    expect(String(events()[0]?.time)).toMatch(/^\d{4}-\d\d-\d\dT/);
  });

  it('redacts password, secret, token and authorization fields, and Secret values wherever they are', () => {
    const { logger, lines } = capture();
    logger.info(
      {
        password: 'pw-1',
        user: { password: 'pw-2', token: 'tok-3' },
        req: { headers: { authorization: 'MSA-HMAC sig=abc' } },
        cloneSecret: new Secret('pw-4', 'CLONE_SECRET'),
        secret: 'pw-5',
      },
      'connecting',
    );
    const text = lines.join('');
    for (const value of ['pw-1', 'pw-2', 'tok-3', 'sig=abc', 'pw-4', 'pw-5']) expect(text).not.toContain(value);
    expect(text).toContain('[redacted]');
  });
});
