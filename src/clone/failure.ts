import { AgentError, ConfigError, type Fault } from '../errors.js';
import { ER_CLONE_DISK_SPACE, ER_CLONE_DONOR } from '../mysql/error-numbers.js';

/**
 * Which clone failures another try can fix (ARCHITECTURE.md, "Clone
 * failures"). Pure: the errors carry what they are (`AgentError.fault`, set
 * where it is known whose side failed), and this decides what follows.
 */

/** What went wrong on this pod's own volume. */
export type LocalFault = Extract<Fault, 'no-space' | 'read-only' | 'permission' | 'io'>;

export interface FailureClass {
  /** Another round (after backoff) cannot succeed either: init fails now, and the kubelet's restart backoff paces the next try. */
  readonly permanent: boolean;
  /** Trying the next donor of this round may still succeed. */
  readonly nextDonorMayHelp: boolean;
}

export function classifyFailure(error: unknown): FailureClass {
  if (error instanceof ConfigError) return { permanent: true, nextDonorMayHelp: false };
  const fault = error instanceof AgentError ? error.fault : undefined;
  if (fault === undefined) return { permanent: false, nextDonorMayHelp: true };
  // A secret one donor refuses may be one misconfigured donor; a volume is the same whoever donates.
  return { permanent: true, nextDonorMayHelp: fault === 'unauthorized' };
}

/**
 * The OS error numbers the tools print (mbstream's `Errcode: 28`, InnoDB's
 * `error number 28`, MySQL's `errno: 28` and `OS errno 28`) that say this
 * volume cannot take the clone: ENOSPC, EDQUOT, EROFS, EACCES, EPERM, EIO
 * (Linux numbering).
 */
const ERRNO_FAULTS: ReadonlyMap<number, LocalFault> = new Map([
  [28, 'no-space'],
  [122, 'no-space'],
  [30, 'read-only'],
  [13, 'permission'],
  [1, 'permission'],
  [5, 'io'],
]);
const CODE_FAULTS: Readonly<Record<string, LocalFault>> = {
  ENOSPC: 'no-space',
  EDQUOT: 'no-space',
  EROFS: 'read-only',
  EACCES: 'permission',
  EPERM: 'permission',
  EIO: 'io',
};
const TEXT_FAULTS: readonly (readonly [RegExp, LocalFault])[] = [
  [/no space left on device|disk quota exceeded|out of disk space/i, 'no-space'],
  [/read-only file system/i, 'read-only'],
  [/permission denied|operation not permitted/i, 'permission'],
  [/input\/output error/i, 'io'],
];
const ERRNO_IN_TEXT = /(?:errcode|os errno|error number|errno)[:\s]+(\d+)/gi;

/** The first line of a tool's output that names an OS error on the volume, and which one. */
export function localFaultIn(text: string): { fault: LocalFault; line: string } | undefined {
  for (const raw of text.split('\n')) {
    // mbstream's error lines start with a BEL (my_error rings the terminal's bell): no control character reaches a message.
    const line = raw.replace(/\p{Cc}/gu, '').trim();
    for (const [pattern, fault] of TEXT_FAULTS) if (pattern.test(line)) return { fault, line };
    for (const match of line.matchAll(ERRNO_IN_TEXT)) {
      const fault = ERRNO_FAULTS.get(Number(match[1]));
      if (fault !== undefined) return { fault, line };
    }
  }
  return undefined;
}

/** The fault of a failed system call on the volume (mkdir, write), from its code. */
export function localFaultOf(error: unknown): LocalFault | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === undefined ? undefined : CODE_FAULTS[code];
}

const FAULT_TEXT: Readonly<Record<Exclude<Fault, 'unauthorized'>, string>> = {
  'volume-too-small': 'volume too small',
  'no-space': 'no space left on the data volume (ENOSPC)',
  'read-only': 'the data volume is read-only (EROFS)',
  permission: 'permission denied on the data volume (EACCES): the agent must run as the user that owns the data dir',
  io: 'I/O error on the data volume (EIO): the disk is failing',
};

/** One plain phrase for a fault of this pod's volume, first in every message that reports one. */
export function describeFault(fault: Exclude<Fault, 'unauthorized'>): string {
  return FAULT_TEXT[fault];
}

/**
 * Whether a failed CLONE INSTANCE is this server's volume's fault: MySQL's own
 * space check before copying (ER_CLONE_DISK_SPACE), or an OS error writing
 * the clone (MySQL 9.7: ER_ERROR_ON_WRITE, `Error writing file 'app/t.ibd'
 * (errno: 28 - No space left on device)`; EROFS…). A donor's error comes
 * wrapped in ER_CLONE_DONOR and is the donor's: another donor may do.
 */
export function cloneStatementFault(errno: number | undefined, text: string): Exclude<Fault, 'unauthorized'> | undefined {
  if (errno === ER_CLONE_DISK_SPACE) return 'volume-too-small';
  if (errno === ER_CLONE_DONOR) return undefined;
  return localFaultIn(text)?.fault;
}

const GIB = 1024 ** 3;

/** Sizes in messages: GiB with two decimals below 10 GiB (test volumes are a fraction of one), one above. */
export function formatGiB(bytes: number): string {
  const gib = bytes / GIB;
  return `${gib.toFixed(gib < 10 ? 2 : 1)} GiB`;
}
