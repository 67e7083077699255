import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { ConfigError } from '../../src/errors.js';
import { SETTINGS } from '../../src/settings.js';

const dir = mkdtempSync(join(tmpdir(), 'msa-config-'));
const resolvConf = join(dir, 'resolv.conf');
writeFileSync(
  resolvConf,
  'search shop.svc.cluster.local svc.cluster.local cluster.local\nnameserver 10.96.0.10\noptions ndots:5\n',
);

const base = { POD_NAME: 'mysql-1', RESOLV_CONF: resolvConf, PATH: '/usr/bin' };

function problemsOf(env: NodeJS.ProcessEnv): readonly string[] {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('fills defaults and takes the namespace from the kubelet search list', () => {
    const config = loadConfig(base);
    expect(config.identity).toMatchObject({ podName: 'mysql-1', serverId: 101, namespace: 'shop', role: 'replica' });
    expect(config.identity.fqdn).toBe('mysql-1.mysql.shop.svc.cluster.local');
    expect(config.ports).toEqual({ mysql: 3306, http: 8080, clone: 3307 });
    expect(config.dns).toMatchObject({ servers: [{ host: '10.96.0.10', port: 53 }], timeoutMs: 2000, attempts: 3 });
    expect(config.dataDir).toBe('/var/lib/mysql');
  });

  it('prefers POD_NAMESPACE and DNS_SERVERS when they are set', () => {
    const config = loadConfig({ ...base, POD_NAMESPACE: 'prod', DNS_SERVERS: '198.18.0.2:5353,[::1]' });
    expect(config.identity.fqdn).toBe('mysql-1.mysql.prod.svc.cluster.local');
    expect(config.dns.servers).toEqual([
      { host: '198.18.0.2', port: 5353 },
      { host: '::1', port: 53 },
    ]);
  });

  it('reports every bad variable at once, naming each and what was expected', () => {
    const problems = problemsOf({
      ...base,
      POD_NAME: 'mysql',
      SERVER_ID_OFFSET: 'many',
      HTTP_PORT: '70000',
      LOG_LEVEL: 'loud',
      MYSQL_FLAVOR: 'postgres',
      DATA_DIR: 'relative/dir',
      DNS_SERVERS: 'dns.example',
      MYSQL_VERSION: 'latest',
      SERVICE_NAME: 'My_Service',
    });
    const expected = [
      /^POD_NAME: pod name "mysql" has no ordinal: expected <statefulset>-<ordinal>/,
      /^SERVER_ID_OFFSET="many": expected an integer from 1 to 4294967295$/,
      /^HTTP_PORT="70000": expected an integer from 1 to 65535$/,
      /^LOG_LEVEL="loud": expected one of trace, debug/,
      /^MYSQL_FLAVOR="postgres": expected one of auto, mysql, mariadb$/,
      /^DATA_DIR="relative\/dir": expected an absolute path$/,
      /^DNS_SERVERS="dns.example": nameserver "dns.example" is not an IP address/,
      /^MYSQL_VERSION="latest": .*not of the form/,
      /^SERVICE_NAME="My_Service": expected a DNS label/,
    ];
    expect(problems).toHaveLength(expected.length);
    for (const pattern of expected) expect(problems.some((problem) => pattern.test(problem))).toBe(true);
  });

  it('falls back to the hostname, and names it as the source of a bad name', () => {
    const { POD_NAME: _unused, ...withoutPodName } = base;
    expect(loadConfig(withoutPodName, 'mysql-4').identity.serverId).toBe(104);
    expect(() => loadConfig(withoutPodName, 'laptop')).toThrow(
      'invalid configuration: POD_NAME is unset and the hostname: pod name "laptop" has no ordinal',
    );
  });

  it('refuses an ordinal that overflows server_id', () => {
    expect(problemsOf({ ...base, POD_NAME: 'mysql-7', SERVER_ID_OFFSET: '4294967290' })).toEqual([
      'POD_NAME: server_id 4294967290 + ordinal 7 = 4294967297 is outside 1..4294967295: lower SERVER_ID_OFFSET',
    ]);
  });

  it('says what to do when neither resolv.conf nor DNS_SERVERS gives a nameserver', () => {
    expect(problemsOf({ ...base, RESOLV_CONF: join(dir, 'missing.conf') })).toEqual([
      `RESOLV_CONF="${join(dir, 'missing.conf')}": cannot read the file (ENOENT): mount a resolv.conf or set DNS_SERVERS`,
    ]);
    expect(loadConfig({ ...base, RESOLV_CONF: join(dir, 'missing.conf'), DNS_SERVERS: '127.0.0.1' }).dns.servers).toHaveLength(1);
  });
});

describe('clone TLS', () => {
  it('takes the three files together, and names what is missing or unreadable', () => {
    const pem = join(dir, 'x.pem');
    writeFileSync(pem, 'pem');
    expect(loadConfig({ ...base, CLONE_TLS_CERT: pem, CLONE_TLS_KEY: pem, CLONE_TLS_CA: pem }).cloneTls).toEqual({ cert: pem, key: pem, ca: pem });
    expect(loadConfig(base).cloneTls).toBeUndefined();
    expect(problemsOf({ ...base, CLONE_TLS_CERT: pem })).toEqual([
      'CLONE_TLS_CERT, CLONE_TLS_KEY, CLONE_TLS_CA must be set together (set: CLONE_TLS_CERT)',
    ]);
    expect(problemsOf({ ...base, CLONE_TLS_CERT: pem, CLONE_TLS_KEY: pem, CLONE_TLS_CA: join(dir, 'no-ca.pem') })).toEqual([
      `CLONE_TLS_CA="${join(dir, 'no-ca.pem')}": cannot read the file (ENOENT): mount the certificate Secret there`,
    ]);
  });
});

describe('secrets', () => {
  it('reads a secret from NAME_FILE, dropping one trailing newline, and never prints it', () => {
    const file = join(dir, 'clone-secret');
    writeFileSync(file, 's3cr3t-value\n', { mode: 0o600 });
    const config = loadConfig({ ...base, CLONE_SECRET_FILE: file, REPLICATION_PASSWORD: 'repl-pw' });
    expect(config.secrets.cloneSecret?.reveal()).toBe('s3cr3t-value');
    expect(config.secrets.replicationPassword?.reveal()).toBe('repl-pw');
    const shown = [JSON.stringify(config), String(config.secrets.cloneSecret), inspect(config, { depth: 5 })].join('\n');
    expect(shown).not.toContain('s3cr3t-value');
    expect(shown).not.toContain('repl-pw');
    expect(shown).toContain('[redacted]');
  });

  it('reports missing, empty and doubly-set secrets without their values', () => {
    const empty = join(dir, 'empty');
    writeFileSync(empty, '');
    const problems = problemsOf({
      ...base,
      CLONE_SECRET_FILE: join(dir, 'nope'),
      REPLICATION_PASSWORD_FILE: empty,
      MYSQL_ROOT_PASSWORD: 'root-pw',
      MYSQL_ROOT_PASSWORD_FILE: empty,
    });
    expect(problems).toEqual([
      'MYSQL_ROOT_PASSWORD and MYSQL_ROOT_PASSWORD_FILE are both set: set only one',
      `REPLICATION_PASSWORD_FILE="${empty}": the file is empty`,
      `CLONE_SECRET_FILE="${join(dir, 'nope')}": cannot read the file (ENOENT): mount the Secret there`,
    ]);
    expect(problems.join(' ')).not.toContain('root-pw');
  });
});

describe('README', () => {
  it('documents every setting in its configuration table', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    for (const name of Object.keys(SETTINGS)) {
      expect(readme, `README lacks ${name}`).toMatch(new RegExp(`^\\| \`${name}\``, 'm'));
    }
  });
});
