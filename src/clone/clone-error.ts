import { AgentError } from '../errors.js';

/**
 * One donor failed to give us a complete backup. `retryable` says whether
 * another try (this donor later, or another one) can help.
 */
export class CloneError extends AgentError {
  readonly donor: string;
  readonly retryable: boolean;

  constructor(input: { donor: string; message: string; retryable: boolean; cause?: unknown }) {
    super('clone', input.message, { cause: input.cause });
    this.name = 'CloneError';
    this.donor = input.donor;
    this.retryable = input.retryable;
  }
}
