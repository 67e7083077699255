import { execa } from 'execa';
import { constants } from 'node:fs';
import { access, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { AgentError, lastLine } from '../../errors.js';
import { describeFault, localFaultIn, localFaultOf } from '../failure.js';
import type { MutualTls } from '../../http/fastify.js';
import type { Logger } from '../../log.js';
import type { Flavor } from '../../mysql/server-version.js';
import type { Secret } from '../../secret.js';
import { prepareCommand } from '../backup-tool.js';
import { BINLOG_INFO_FILES, parseBinlogInfo, type Coordinates } from '../../data-dir/coordinates.js';
import type { CloneInfo } from '../../data-dir/clone-info.js';
import type { DataDirLayout } from '../../data-dir/layout.js';
import { commitClone, createStaging } from '../../data-dir/staging.js';
import type { InitTracker } from '../init-progress.js';
import { createProgressReporter } from './progress.js';
import { receiveBackup, type DonorAddress } from './receive-backup.js';

/**
 * One complete clone from one donor: stream into a fresh staging dir, check
 * the end-of-stream status, prepare, read the coordinates, move into place,
 * marker last. Any failure leaves only the staging dir behind, which the
 * caller wipes before the next try. An aborted `signal` ends the stream or
 * the prepare step (their children SIGKILLed and gone) and throws its reason;
 * it is checked once more before the commit, which is never cut in half
 * (renames and the marker: milliseconds; ARCHITECTURE.md, "Stopping init").
 */
export async function cloneFrom(input: {
  donor: DonorAddress;
  layout: DataDirLayout;
  pod: string;
  /** `setIdentity` of our set (the donor checks it). */
  set: string;
  cloneSecret: Secret;
  flavor: Flavor;
  parallel: number;
  tls: MutualTls | undefined;
  logger: Logger;
  signal?: AbortSignal | undefined;
  /** Init's phase and the bytes received, for its status server. */
  tracker?: InitTracker | undefined;
}): Promise<CloneInfo> {
  const { layout, logger, donor } = input;
  await createStaging(layout).catch(async (error: unknown) => {
    throw await stagingFailure(error, layout.dataDir, layout.staging);
  });
  logger.info({ step: 'clone', donor: donor.name, address: donor.address }, 'cloning');
  const progress = createProgressReporter({ logger, donor: donor.name, terminal: process.stderr.isTTY ? process.stderr : undefined });
  const onProgress = (update: { bytes: number; expectedBytes: number | undefined }) => {
    progress.update(update);
    input.tracker?.cloning(donor.name, update);
  };
  input.tracker?.cloning(donor.name, { bytes: 0, expectedBytes: undefined });
  const received = await receiveBackup({ ...input, stagingDir: layout.staging, volume: layout.dataDir, onProgress }).finally(() => progress.finish());
  input.tracker?.enter('preparing');
  logger.info({ step: 'prepare', donor: donor.name, bytes: received.bytes, seconds: received.seconds }, 'received the backup; preparing');
  await prepare(input.flavor, layout.staging, input.signal);
  const coordinates = await readCoordinates(layout.staging);
  input.signal?.throwIfAborted();
  input.tracker?.enter('committing');
  const info: CloneInfo = {
    donor: donor.name,
    coordinates,
    bytes: received.bytes,
    seconds: received.seconds,
    finishedAt: new Date().toISOString(),
  };
  await commitClone(layout, info);
  logger.info({ step: 'commit', ...info }, 'clone complete: data dir ready');
  return info;
}

/**
 * Why the staging dir could not be made. A recursive mkdir on a read-only
 * filesystem fails with ENOENT, not EROFS, so the data dir's writability
 * (access(2) answers EROFS or EACCES) names the cause when the error does not.
 */
async function stagingFailure(error: unknown, dataDir: string, staging: string): Promise<unknown> {
  const fault = localFaultOf(error) ?? (await access(dataDir, constants.W_OK).then(() => undefined, localFaultOf));
  if (fault === undefined) return error;
  return new AgentError('clone', `${describeFault(fault)}: cannot create ${staging}: ${(error as Error).message}`, { fault, cause: error });
}

async function prepare(flavor: Flavor, dir: string, signal: AbortSignal | undefined): Promise<void> {
  const command = prepareCommand(flavor, dir);
  // SIGKILL on a stop: the staging dir it works on is thrown away, so there is nothing to finish cleanly.
  const result = await execa(command.file, command.args, { reject: false, cancelSignal: signal, killSignal: 'SIGKILL', stdout: 'ignore' });
  signal?.throwIfAborted();
  if (result.exitCode !== 0) {
    const stderr = String(result.stderr);
    const local = localFaultIn(stderr);
    const why = local === undefined ? lastLine(stderr) : `${describeFault(local.fault)}: ${local.line}`;
    throw new AgentError('prepare', `failed to prepare the backup (${command.file} exit ${result.exitCode ?? result.signal}): ${why}`, { fault: local?.fault });
  }
}

async function readCoordinates(dir: string): Promise<Coordinates> {
  for (const name of BINLOG_INFO_FILES) {
    const text = await readFile(join(dir, name), 'utf8').catch(() => undefined);
    if (text !== undefined && text.trim() !== '') return parseBinlogInfo(text);
  }
  throw new AgentError('prepare', `failed to read the replication coordinates: the backup has none of ${BINLOG_INFO_FILES.join(', ')}`);
}
