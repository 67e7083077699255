import type { Logger } from '../../log.js';

const LOG_EVERY_MS = 5_000;
const BAR_WIDTH = 30;

/**
 * Reports a clone's progress: a log line every few seconds (bytes, rate, donor,
 * phase) and, on a terminal, a bar redrawn in place on stderr.
 */
export function createProgressReporter(input: { logger: Logger; donor: string; terminal: NodeJS.WriteStream | undefined }) {
  const started = Date.now();
  let lastLog = started;
  let lastDraw = 0;
  return {
    update(progress: { bytes: number; expectedBytes: number | undefined }): void {
      const now = Date.now();
      if (now - lastLog >= LOG_EVERY_MS) {
        lastLog = now;
        input.logger.info(
          { step: 'clone', donor: input.donor, bytes: progress.bytes, expectedBytes: progress.expectedBytes, mbPerSecond: rate(progress.bytes, now - started) },
          'cloning',
        );
      }
      if (input.terminal && now - lastDraw >= 100) {
        lastDraw = now;
        input.terminal.write(`\r${formatBar({ ...progress, elapsedMs: now - started, donor: input.donor })}`);
      }
    },
    finish(): void {
      input.terminal?.write('\n');
    },
  };
}

export function formatBar(input: { bytes: number; expectedBytes: number | undefined; elapsedMs: number; donor: string }): string {
  const mb = (bytes: number) => `${(bytes / 1_048_576).toFixed(0)} MB`;
  const speed = `${rate(input.bytes, input.elapsedMs).toFixed(1)} MB/s`;
  if (!input.expectedBytes) return `cloning from ${input.donor}: ${mb(input.bytes)} ${speed}`;
  const fraction = Math.min(1, input.bytes / input.expectedBytes);
  const filled = Math.round(fraction * BAR_WIDTH);
  const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
  return `cloning from ${input.donor} [${bar}] ${(fraction * 100).toFixed(0)}% ${mb(input.bytes)}/${mb(input.expectedBytes)} ${speed}`;
}

function rate(bytes: number, elapsedMs: number): number {
  return elapsedMs > 0 ? Math.round((bytes / 1_048_576 / (elapsedMs / 1000)) * 10) / 10 : 0;
}
