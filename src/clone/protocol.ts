/**
 * The clone protocol between a recipient's init and a donor's sidecar (port 3307).
 *
 * 1. The recipient sends `GET /v1/backup` with a signed Authorization header and
 *    `Upgrade: mysql-sts-backup`. Refusals are plain HTTP (401, 429, 503).
 * 2. The donor answers `101 Switching Protocols` with a backup id and a size
 *    estimate, then waits for one byte, GO.
 * 3. The recipient hands its end of the connection to the extractor (mbstream)
 *    and sends GO; the donor hands its end to the backup tool. From then on the
 *    bytes go from tool to socket to extractor without passing through node:
 *    on two cores that copy, not the disk, was what bounded a clone. (With TLS
 *    the agent must encrypt, so node pipes the bytes instead.)
 * 4. The donor closes the connection when the tool exits. End of stream alone
 *    says nothing about success: the recipient then asks
 *    `GET /v1/backup/<id>/status`, which answers `ok` only if the tool exited 0.
 *    A cut connection, a dead donor or any other status fails the clone.
 */
export const BACKUP_PATH = '/v1/backup';
export const UPGRADE_PROTOCOL = 'mysql-sts-backup';
export const BACKUP_ID_HEADER = 'x-backup-id';
/** The donor's estimate of the stream's size, for the recipient's progress bar. */
export const ESTIMATE_HEADER = 'x-backup-estimated-bytes';
export const GO = Buffer.from('G');

export function statusPath(id: string): string {
  return `${BACKUP_PATH}/${id}/status`;
}

/** What the status request answers. */
export interface BackupStatus {
  readonly status: 'ok' | 'failed' | 'unknown';
  readonly reason: string;
  readonly bytes: number;
}
