import { describe, expect, it } from 'vitest';
import { createProgressReporter, formatBar } from '../../../../src/clone/recipient/progress.js';
import { createLogger } from '../../../../src/log.js';

describe('clone progress', () => {
  it('draws a bar with percentage, sizes and rate when the donor gave an estimate', () => {
    expect(formatBar({ bytes: 256 * 1_048_576, expectedBytes: 512 * 1_048_576, elapsedMs: 2_000, donor: 'mysql-0' })).toBe(
      `cloning from mysql-0 [${'#'.repeat(15)}${'-'.repeat(15)}] 50% 256 MB/512 MB 128.0 MB/s`,
    );
    expect(formatBar({ bytes: 600 * 1_048_576, expectedBytes: 512 * 1_048_576, elapsedMs: 1_000, donor: 'mysql-0' })).toContain(
      `[${'#'.repeat(30)}] 100%`,
    );
  });

  it('shows bytes and rate without an estimate', () => {
    expect(formatBar({ bytes: 10 * 1_048_576, expectedBytes: undefined, elapsedMs: 4_000, donor: 'mysql-1' })).toBe(
      'cloning from mysql-1: 10 MB 2.5 MB/s',
    );
  });

  it('redraws on a terminal and ends the line when done', () => {
    const written: string[] = [];
    const terminal = { write: (text: string) => written.push(text) } as unknown as NodeJS.WriteStream;
    const reporter = createProgressReporter({ logger: createLogger({ level: 'silent', pod: 'mysql-1', phase: 'init' }), donor: 'mysql-0', terminal });
    reporter.update({ bytes: 1_048_576, expectedBytes: 2 * 1_048_576 });
    reporter.finish();
    expect(written[0]).toMatch(/^\rcloning from mysql-0 \[#{15}-{15}\] 50% 1 MB\/2 MB/);
    expect(written.at(-1)).toBe('\n');
  });
});
