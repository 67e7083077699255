import pino, { type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export type Phase = 'init' | 'serve' | 'peers' | 'status';

/**
 * Field names that may hold a secret anywhere in a log event. Secrets are also
 * wrapped in `Secret`, which serialises as "[redacted]"; this is the second net.
 */
const REDACTED_PATHS = [
  'password',
  'secret',
  'token',
  'authorization',
  '*.password',
  '*.secret',
  '*.token',
  '*.authorization',
  'req.headers.authorization',
];

/**
 * pino JSON, one event per line, each with the pod and the phase. Writes are
 * synchronous so the last line before an exit (the reason an init container
 * failed) is never lost.
 */
export function createLogger(options: {
  level: LogLevel;
  pod: string | undefined;
  phase: Phase;
  /** 1 = stdout (long-running containers), 2 = stderr (commands whose stdout is their output). */
  fd?: 1 | 2;
  /** Anything with write(), instead of the fd (tests). */
  stream?: { write: (line: string) => void };
}): Logger {
  return pino(
    {
      level: options.level,
      base: { pod: options.pod, phase: options.phase },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
      redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    },
    options.stream ?? pino.destination({ dest: options.fd ?? 1, sync: true }),
  );
}
