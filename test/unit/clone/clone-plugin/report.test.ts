import { describe, expect, it } from 'vitest';
import { cloneReason, describeProgress, type CloneAttemptReport } from '../../../../src/clone/clone-plugin/report.js';

const base: CloneAttemptReport = { phase: 'cloning', donor: 'mysql-1', progress: undefined, lastError: undefined, failures: 0 };

describe('cloneReason: why a pod being cloned is not Ready', () => {
  it.each<[Partial<CloneAttemptReport>, string]>([
    [{ phase: 'choosing-donor', donor: undefined }, 'waiting to clone: choosing a donor'],
    [{}, 'cloning from mysql-1'],
    [{ progress: { stage: 'file copy', bytes: 3 * 1_048_576, estimatedBytes: 12 * 1_048_576, bytesPerSecond: 1 } }, 'cloning from mysql-1: file copy 25% (3 of 12 MiB)'],
    [{ phase: 'restarting' }, 'cloning from mysql-1: the server restarts to finish the clone'],
    [{ phase: 'waiting', lastError: 'mysql-1: connection refused' }, 'waiting to clone: mysql-1: connection refused'],
    [{ phase: 'refused', lastError: 'the server holds databases (app)' }, 'not cloning: the server holds databases (app)'],
  ])('%j', (change, expected) => {
    expect(cloneReason({ ...base, ...change })).toBe(expected);
  });

  it('never says more than 100%', () => {
    expect(cloneReason({ ...base, progress: { stage: 'redo copy', bytes: 13, estimatedBytes: 12, bytesPerSecond: 0 } })).toContain(' 100% ');
  });
});

describe('describeProgress', () => {
  it('reports MiB/s with one decimal, in the stream clone log fields', () => {
    expect(describeProgress({ stage: 'file copy', bytes: 10, estimatedBytes: 20, bytesPerSecond: 1.5 * 1_048_576 })).toEqual({
      stage: 'file copy',
      bytes: 10,
      expectedBytes: 20,
      mbPerSecond: 1.5,
    });
  });
});
