import { describe, expect, it } from 'vitest';
import { quantityBytes } from '../../cluster/quantity.js';

describe('memory quantities of the manifests', () => {
  it('reads binary and decimal suffixes and plain bytes', () => {
    expect(quantityBytes('512Mi')).toBe(536_870_912);
    expect(quantityBytes('1Gi')).toBe(1_073_741_824);
    expect(quantityBytes('128974848')).toBe(128_974_848);
    expect(quantityBytes('1.5G')).toBe(1_500_000_000);
    expect(quantityBytes('64k')).toBe(64_000);
  });

  it('refuses what it cannot read exactly, naming the value', () => {
    for (const bad of ['', '512MB', '1e3', '100m', 'Gi', '-1Gi']) {
      expect(() => quantityBytes(bad)).toThrow(`memory quantity ${JSON.stringify(bad)}: expected a number with a suffix such as Mi or Gi`);
    }
  });
});
