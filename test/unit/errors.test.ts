import { describe, expect, it } from 'vitest';
import { AgentError, ExitCode, InterruptedError, exitCodeOf, oneLine } from '../../src/errors.js';

describe('InterruptedError', () => {
  it('is the stage "interrupted", exit code 8, apart from every failure stage', () => {
    const error = new InterruptedError('SIGTERM');
    expect(error).toBeInstanceOf(AgentError);
    expect(exitCodeOf(error)).toBe(8);
    expect(ExitCode.interrupted).toBe(8);
    const codes = Object.values(ExitCode);
    expect(new Set(codes).size).toBe(codes.length);
  });

  it('names the signal in one line for the termination log', () => {
    expect(oneLine(new InterruptedError('SIGINT'))).toBe('stopped by SIGINT before init finished; the data dir holds no partial clone');
    expect(new InterruptedError('SIGTERM').signal).toBe('SIGTERM');
  });
});
