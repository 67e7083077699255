import { describe, expect, it } from 'vitest';
import { numbersTable } from '../../support/numbers.js';

describe('numbersTable', () => {
  it('has one digit table per decimal place of the largest value', () => {
    expect(numbersTable(10).match(/CROSS JOIN/g)).toBeNull();
    expect(numbersTable(11).match(/CROSS JOIN/g)).toHaveLength(1);
    expect(numbersTable(1000).match(/CROSS JOIN/g)).toHaveLength(2);
    expect(numbersTable(1001).match(/CROSS JOIN/g)).toHaveLength(3);
  });

  it('stops at count', () => {
    expect(numbersTable(4096)).toContain('< 4096)');
  });

  it('refuses what it cannot mean', () => {
    expect(() => numbersTable(0)).toThrow(/expected 1\.\.10000000/);
    expect(() => numbersTable(1.5)).toThrow(/expected/);
  });
});
