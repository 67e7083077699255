import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { roomNeeded, volumeTooSmall } from '../../../../src/clone/recipient/room.js';

const MIB = 1024 ** 2;

describe('the free space a clone needs', () => {
  it('is the estimate plus 10% plus the server\'s first-start files (128 MiB)', () => {
    expect(roomNeeded(0)).toBe(128 * MIB);
    expect(roomNeeded(1000 * MIB)).toBe(1100 * MIB + 128 * MIB);
  });

  it('never falls below the estimate, and grows with it', () => {
    fc.assert(
      fc.property(fc.nat({ max: 2 ** 45 }), fc.nat({ max: 2 ** 30 }), (estimate, more) => {
        expect(roomNeeded(estimate)).toBeGreaterThan(estimate);
        expect(roomNeeded(estimate + more)).toBeGreaterThanOrEqual(roomNeeded(estimate));
      }),
    );
  });

  it('says "volume too small" with the need and the free space in GiB, naming the volume', () => {
    expect(volumeTooSmall({ estimate: 600 * MIB, free: 250 * MIB, volume: '/var/lib/mysql' })).toBe(
      'volume too small: the clone needs about 0.77 GiB, /var/lib/mysql has 0.24 GiB free',
    );
  });

  it('lets a clone through that fits, and one without an estimate (an older donor)', () => {
    expect(volumeTooSmall({ estimate: 600 * MIB, free: roomNeeded(600 * MIB), volume: '/d' })).toBeUndefined();
    expect(volumeTooSmall({ estimate: undefined, free: 0, volume: '/d' })).toBeUndefined();
  });
});
