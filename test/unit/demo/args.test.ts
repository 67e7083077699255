import { describe, expect, it } from 'vitest';
import { DemoUsageError, parseDemoArgs } from '../../demo/args.js';

describe('parseDemoArgs', () => {
  it('defaults: 3 pods until Ctrl-C, cluster "demo"', () => {
    expect(parseDemoArgs([])).toEqual({ kind: 'run', durationSeconds: undefined, pods: 3, name: 'demo' });
  });

  it('takes --duration, --pods, --name and --help', () => {
    expect(parseDemoArgs(['--duration', '30', '--pods', '2', '--name', 'ci-1'])).toEqual({ kind: 'run', durationSeconds: 30, pods: 2, name: 'ci-1' });
    expect(parseDemoArgs(['--duration=5'])).toMatchObject({ durationSeconds: 5 });
    expect(parseDemoArgs(['-h'])).toEqual({ kind: 'help' });
  });

  it.each([
    [['--duration', '0'], /--duration "0": expected a whole number from 1/],
    [['--duration', '1.5'], /--duration "1.5"/],
    [['--duration', 'soon'], /--duration "soon"/],
    [['--pods', '10'], /--pods "10": expected a whole number from 1 to 9/],
    [['--name', 'Bad/Name'], /--name "Bad\/Name"/],
    [['--force'], /Unknown option '--force'/],
    [['extra'], /positional/],
  ])('rejects %j', (argv, message) => {
    expect(() => parseDemoArgs(argv)).toThrow(DemoUsageError);
    expect(() => parseDemoArgs(argv)).toThrow(message);
  });
});
