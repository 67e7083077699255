import { describe, expect, it } from 'vitest';
import { parseCommandLine } from '../../../src/cli/args.js';
import { UsageError } from '../../../src/errors.js';

describe('parseCommandLine', () => {
  it('parses each command and its flags', () => {
    expect(parseCommandLine(['init'])).toEqual({ kind: 'command', command: 'init', json: false, url: undefined });
    expect(parseCommandLine(['peers', '--json'])).toMatchObject({ command: 'peers', json: true });
    expect(parseCommandLine(['status', '--url', 'http://mysql-1:8080'])).toMatchObject({ url: 'http://mysql-1:8080' });
    expect(parseCommandLine(['--help'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['serve', '-h'])).toEqual({ kind: 'help' });
    expect(parseCommandLine(['-V'])).toEqual({ kind: 'version' });
  });

  it.each([
    [[], /no command given/],
    [['bogus'], /unknown command "bogus"/],
    [['init', '--force'], /Unknown option '--force'/],
    [['init', '--json'], /init does not take --json/],
    [['peers', 'extra'], /unexpected argument "extra"/],
    [['status', '--url'], /--url/],
  ])('rejects %j as a usage error', (argv, message) => {
    expect(() => parseCommandLine(argv)).toThrow(UsageError);
    expect(() => parseCommandLine(argv)).toThrow(message);
  });
});
