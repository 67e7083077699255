import { describe, expect, it } from 'vitest';
import { demoServer, DemoUsageError, parseDemoArgs } from '../../demo/args.js';

describe('parseDemoArgs', () => {
  it('defaults: 3 MariaDB pods until Ctrl-C, cluster "demo"', () => {
    expect(parseDemoArgs([])).toEqual({ kind: 'run', server: 'mariadb', durationSeconds: undefined, pods: 3, name: 'demo' });
  });

  it('takes --server, --duration, --pods, --name and --help', () => {
    expect(parseDemoArgs(['--duration', '30', '--pods', '2', '--name', 'ci-1'])).toEqual({ kind: 'run', server: 'mariadb', durationSeconds: 30, pods: 2, name: 'ci-1' });
    expect(parseDemoArgs(['--server', 'mysql', '--duration', '20'])).toEqual({ kind: 'run', server: 'mysql', durationSeconds: 20, pods: 3, name: 'demo' });
    expect(parseDemoArgs(['--server=mariadb'])).toMatchObject({ server: 'mariadb' });
    expect(parseDemoArgs(['--duration=5'])).toMatchObject({ durationSeconds: 5 });
    expect(parseDemoArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--duration', '0'], /--duration "0": expected a whole number from 1/],
    [['--duration', '1.5'], /--duration "1.5"/],
    [['--duration', 'soon'], /--duration "soon"/],
    [['--pods', '10'], /--pods "10": expected a whole number from 1 to 9/],
    [['--name', 'Bad/Name'], /--name "Bad\/Name"/],
    [['--server', 'postgres'], /--server "postgres": expected mariadb or mysql/],
    [['--server', 'MySQL'], /--server "MySQL": expected mariadb or mysql/],
    [['--server', 'toString'], /--server "toString": expected mariadb or mysql/],
    [['--server'], /argument missing/],
    [['--force'], /Unknown option '--force'/],
    [['extra'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(DemoUsageError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});

describe('the demo\'s servers', () => {
  it('run from the overlays the tests run', () => {
    expect(demoServer('mariadb')).toMatchObject({ server: 'MariaDB 10.11', overlay: 'k8s/overlays/mariadb-10.11' });
    expect(demoServer('mysql')).toMatchObject({ server: 'MySQL 9.7', overlay: 'k8s/overlays/mysql-9.7' });
  });
});
