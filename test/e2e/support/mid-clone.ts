import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pod } from '../../cluster/pod.js';
import { GiveUp, waitFor } from '../../cluster/wait.js';
import { pidsNamed } from '../../support/pod-inspect.js';
import { parseLog, type LogEvent } from './pod-start.js';
import type { E2eServer } from './servers.js';

/**
 * Scenario 5's fault: the donor dies while a clone flows from it, in the way
 * each clone method can die. Backup stream: the donor's backup tool
 * (mariadb-backup) is SIGKILLed once the stream has landed files in the
 * recipient's staging dir; the donor's sidecar lives on. CLONE plugin: the
 * donor is the server itself, so the donor's mysqld is SIGKILLed once the
 * recipient's server reports file data arriving (`clone_progress`, stage FILE
 * COPY). A clone of this set's data between two MySQL pods copies its files in
 * well under a second here, so the recipient's server is held to
 * CLONE_MIB_PER_SECOND (a slow link, `slowCloneLink`) to leave the kill a window.
 */
export async function killDonorMidClone(server: E2eServer, donor: Pod, recipient: Pod): Promise<void> {
  if (server.clone.method === 'backup-stream') await killBackupMidStream(donor, recipient);
  else await killDonorServerMidClone(donor, recipient);
}

async function killBackupMidStream(donor: Pod, recipient: Pod): Promise<void> {
  const [pid] = await waitFor(
    async () => {
      const pids = await pidsNamed(donor, 'mariadb-backup');
      return pids.length === 1 ? pids : undefined;
    },
    { what: `a backup to start on ${donor.name}`, timeoutMs: 60_000, intervalMs: 5 },
  );
  const staging = join(recipient.paths.data, '.mysql-sts-agent', 'staging');
  await waitFor(async () => (existsSync(staging) && readdirSync(staging).length > 0 ? true : undefined), {
    what: `the stream from ${donor.name} to land in ${recipient.name}'s staging dir`,
    timeoutMs: 60_000,
    intervalMs: 2,
  });
  try {
    process.kill(pid as number, 'SIGKILL');
  } catch (error) {
    throw new Error(`failed to cut the clone: ${donor.name}'s backup ${pid} had already ended; make app.bulk bigger`, { cause: error });
  }
}

type CloneRow = {
  readonly source: string | null;
  readonly state: string | null;
  readonly data: number | string | null;
};

/** The recipient's own account of its clone: the donor it names and the FILE COPY stage. */
async function fileCopyOf(recipient: Pod): Promise<CloneRow | undefined> {
  const rows = await recipient
    .query<CloneRow>(
      `SELECT s.SOURCE AS source, p.STATE AS state, p.DATA AS data
       FROM performance_schema.clone_status AS s JOIN performance_schema.clone_progress AS p ON p.STAGE = 'FILE COPY'`,
    )
    .catch(() => []);
  return rows[0];
}

/** At most this many MiB/s reach a recipient slowed by `slowCloneLink`: the ~230 MB clone takes ~7 s. */
const CLONE_MIB_PER_SECOND = 32;

/** What runs on the recipient's server before its sidecar starts: backup stream, nothing; CLONE plugin, the slow link. */
export function slowCloneLink(server: E2eServer, recipient: Pod): (() => Promise<void>) | undefined {
  if (server.clone.method === 'backup-stream') return undefined;
  return async () => {
    await recipient.query(`SET GLOBAL clone_max_data_bandwidth = ${CLONE_MIB_PER_SECOND}`);
  };
}

async function killDonorServerMidClone(donor: Pod, recipient: Pod): Promise<void> {
  await waitFor(
    async () => {
      const copy = await fileCopyOf(recipient);
      const from = String(copy?.source ?? '');
      if (copy?.state === 'Completed' || (from !== '' && !from.startsWith(donor.fqdn))) {
        throw new GiveUp(new Error(`failed to cut the clone: ${recipient.name}'s FILE COPY was ${JSON.stringify(copy)} before the watch saw data from ${donor.name}`));
      }
      return copy?.state === 'In Progress' && Number(copy.data) > 0 && from.startsWith(donor.fqdn) ? true : undefined;
    },
    { what: `${recipient.name}'s server to receive file data from ${donor.name}`, timeoutMs: 120_000, intervalMs: 5 },
  );
  await donor.killServer();
  const after = await fileCopyOf(recipient);
  if (after?.state === 'Completed') throw new Error(`failed to cut the clone: ${recipient.name} had copied every file from ${donor.name}; make app.bulk bigger`);
}

/** The events of the recipient's log that say a clone from one donor failed and the next is tried. */
export function failedClonesOf(server: E2eServer, recipient: Pod, initLog: readonly LogEvent[]): LogEvent[] {
  const log = server.clone.method === 'backup-stream' ? initLog : sidecarLogOf(recipient);
  return log.filter((event) => event.msg === 'clone failed; trying the next donor');
}

function sidecarLogOf(pod: Pod): LogEvent[] {
  const file = join(pod.paths.logs, 'sidecar.log');
  return existsSync(file) ? parseLog(readFileSync(file, 'utf8')) : [];
}
