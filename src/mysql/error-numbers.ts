/**
 * Server error numbers the agent acts on, named in one place (MySQL's and
 * MariaDB's names; both servers use the same numbers for these).
 */
export const ER_ACCESS_DENIED_ERROR = 1045;
/** The heartbeat database has not replicated here yet. */
export const ER_BAD_DB_ERROR = 1049;
/** The heartbeat table has not replicated here yet. */
export const ER_NO_SUCH_TABLE = 1146;
/** The source no longer has the binlogs the replica asks for (error 1236, "purged"). */
export const ER_SOURCE_FATAL_ERROR_READING_BINLOG = 1236;
/** MySQL 8.0+ reports the source's 1236 wrapped in this one, with "error 1236" in the text. */
export const ER_SERVER_SOURCE_FATAL_ERROR_READING_BINLOG = 13114;

/** The server's error number of a failed query, if it is one. */
export function serverErrno(error: unknown): number | undefined {
  const errno = (error as { errno?: unknown } | undefined)?.errno;
  return typeof errno === 'number' ? errno : undefined;
}

/** CLONE INSTANCE took the data, but the server has no supervisor to restart it (it exits; the kubelet starts it again). */
export const ER_RESTART_SERVER_FAILED = 3707;

/** KILL of a thread that has ended meanwhile. */
export const ER_NO_SUCH_THREAD = 1094;

/** CLONE INSTANCE failed on the donor's side ("Clone Donor Error: …"): another donor may do. */
export const ER_CLONE_DONOR = 3862;
/** CLONE INSTANCE's own check: "Clone estimated database size is … Available space … is not enough." */
export const ER_CLONE_DISK_SPACE = 3873;
