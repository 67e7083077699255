import { describe, expect, it } from 'vitest';
import { ServerRestarts } from '../../../src/replication/server-restarts.js';

describe('ServerRestarts', () => {
  it('the first server the loop reaches is a new boot', () => {
    expect(new ServerRestarts().isNewBoot(1_000_000)).toBe(true);
  });

  it('reconnecting to the same server is not, whatever second its Uptime rounds to', () => {
    const restarts = new ServerRestarts();
    restarts.isNewBoot(1_000_000);
    restarts.answered(1_060_000);
    expect(restarts.isNewBoot(1_000_900)).toBe(false);
    expect(restarts.isNewBoot(1_000_000)).toBe(false);
  });

  it('a server that booted after the last answer is a restart, even two seconds after the previous boot', () => {
    const restarts = new ServerRestarts();
    restarts.isNewBoot(1_000_000);
    restarts.answered(1_001_500);
    expect(restarts.isNewBoot(1_002_000)).toBe(true);
  });

  it('a boot time that moved by more than the tolerance is a restart the loop did not see between answers', () => {
    const restarts = new ServerRestarts();
    restarts.isNewBoot(1_000_000);
    restarts.answered(1_100_000);
    expect(restarts.isNewBoot(1_050_000)).toBe(true);
  });
});
