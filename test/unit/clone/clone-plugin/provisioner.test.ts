import type { Connection } from 'mysql2/promise';
import { describe, expect, it } from 'vitest';
import { ClonePluginProvisioner } from '../../../../src/clone/clone-plugin/provisioner.js';
import { CLONE_PROGRESS_QUERY, CLONE_STATUS_QUERY, USER_SCHEMAS_QUERY } from '../../../../src/clone/clone-plugin/statements.js';
import { createLogger } from '../../../../src/log.js';
import { ER_NO_SUCH_TABLE } from '../../../../src/mysql/error-numbers.js';
import { Secret } from '../../../../src/secret.js';

/** A server that answers the provisioner's reads from `answers` (rows by statement); a missing statement is a missing table. */
function serverAnswering(answers: ReadonlyMap<string, readonly object[]>): Connection {
  const query = (sql: string): Promise<[readonly object[], []]> => {
    const rows = answers.get(sql);
    if (rows === undefined) return Promise.reject(Object.assign(new Error(`Table '${sql}' doesn't exist`), { errno: ER_NO_SUCH_TABLE }));
    return Promise.resolve([rows, []]);
  };
  return { query } as unknown as Connection;
}

/** A provisioner whose log lines the test reads; nothing past the checks may be reached (no donor, no clone). */
function provisioner(): { clone: ClonePluginProvisioner; lines: () => { level: string; msg: string; reason?: string }[] } {
  const written: string[] = [];
  const never = (): Promise<never> => Promise.reject(new Error('not reached in this test'));
  const clone = new ClonePluginProvisioner({
    root: { host: '127.0.0.1', port: 3306, user: 'root', password: new Secret('x', 'test') },
    cloneUser: { user: 'clone', password: new Secret('y', 'test') },
    mysqlPort: 3306,
    findDonors: never,
    afterClone: never,
    record: never,
    logger: createLogger({ level: 'info', pod: 'mysql-1', phase: 'serve', stream: { write: (line) => written.push(line) } }),
  });
  return { clone, lines: () => written.map((line) => JSON.parse(line) as { level: string; msg: string; reason?: string }) };
}

describe('ClonePluginProvisioner refusing a clone', () => {
  it('says once in the log that a server without the clone plugin cannot be cloned into, however many checks find it so', async () => {
    const { clone, lines } = provisioner();
    const server = serverAnswering(new Map());
    for (let check = 0; check < 3; check++) expect(await clone.check(server)).toBeUndefined();
    expect(clone.report.phase).toBe('refused');
    expect(lines()).toEqual([{ ...lines()[0], level: 'warn', msg: 'not cloning', reason: expect.stringMatching(/^performance_schema\.clone_status is missing: .*plugin-load-add=mysql_clone\.so/) }]);
  });

  it('says it again when the reason changes: databases on the server to clone over', async () => {
    const { clone, lines } = provisioner();
    await clone.check(serverAnswering(new Map()));
    const withData = serverAnswering(new Map([[CLONE_STATUS_QUERY, []], [CLONE_PROGRESS_QUERY, []], [USER_SCHEMAS_QUERY, [{ name: 'app' }]]]));
    await clone.check(withData);
    await clone.check(withData);
    expect(lines().map((line) => line.reason)).toEqual([expect.stringMatching(/clone_status is missing/), expect.stringMatching(/^the server holds databases \(app\): not cloning over them/)]);
    expect(clone.report).toMatchObject({ phase: 'refused', lastError: expect.stringMatching(/databases \(app\)/) });
  });
});
