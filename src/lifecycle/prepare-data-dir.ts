import { requireSecret, type Config } from '../config.js';
import { AgentError, ConfigError } from '../errors.js';
import type { DnsClient } from '../discovery/dns-client.js';
import type { Logger } from '../log.js';
import type { Flavor } from '../mysql/server-version.js';
import { retryUntil } from '../retry.js';
import { dataDirLayout, type DataDirLayout } from '../data-dir/layout.js';
import { exists, writeMarker } from '../data-dir/marker.js';
import { migrateLegacyState } from '../data-dir/migrate.js';
import { wipeDataDir } from '../data-dir/staging.js';
import { examineDataDir } from '../data-dir/state.js';
import { fsyncDirectory } from '../fs/atomic-file.js';
import { rename } from 'node:fs/promises';
import { findDonors } from '../clone/find-donors.js';
import { setIdentity } from '../clone/auth.js';
import type { CloneMethod } from '../clone/method.js';
import { planFromDataDir } from '../clone/plan.js';
import { writeCloneRequest } from '../data-dir/clone-request.js';
import { loadCloneTls } from '../clone/tls.js';
import { classifyFailure } from '../clone/failure.js';
import type { InitTracker } from '../clone/init-progress.js';

/** `clone-pending`: the CLONE plugin will clone into the server the image initialises (the sidecar drives it). */
export type DataDirOutcome = 'kept' | 'adopted' | 'cloned' | 'clone-pending' | 'bootstrap';

interface PrepareInput {
  readonly config: Config;
  readonly flavor: Flavor;
  readonly method: CloneMethod;
  readonly client: DnsClient;
  readonly logger: Logger;
  /** SIGTERM/SIGINT: ends whatever init waits for (ARCHITECTURE.md, "Stopping init"). */
  readonly signal: AbortSignal;
  /** Init's phase and clone progress, for its status server. */
  readonly tracker?: InitTracker | undefined;
}

const BACKOFF = { baseMs: 1_000, maxMs: 15_000 };

/**
 * Brings the data dir to a state that is safe to start mysqld on, acting on
 * the init decision (ARCHITECTURE.md, "The init decision"): first what the data
 * dir says, then, for an empty one, what the peers say, retried with backoff
 * until the deadline. On failure, or when stopped, the data dir is left
 * empty: no half-written data dir is ever left for the server to start on.
 */
export async function prepareDataDir(input: PrepareInput): Promise<DataDirOutcome> {
  const { config, logger } = input;
  const layout = dataDirLayout(config.dataDir, config.stateDir);
  const migrated = await migrateLegacyState(layout);
  if (migrated !== undefined) logger.info({ dataDir: config.dataDir, stateDir: config.stateDir }, `the agent's state left the data dir: ${migrated}`);
  const local = await actOnDataDir(layout, logger);
  if (local !== undefined) return local;
  const heldData = await exists(layout.lost);
  try {
    return await retryUntil(() => attempt({ ...input, layout, heldData }), {
      ...BACKOFF,
      deadline: Date.now() + config.initDeadlineSeconds * 1000,
      signal: input.signal,
      // A full, read-only or too small volume, or a refused secret: another round would only load the donors (ARCHITECTURE.md, "Clone failures").
      isRetryable: (error) => !classifyFailure(error).permanent,
      onRetry: ({ delayMs, error }) => logger.warn({ error: (error as Error).message, retryInMs: delayMs }, 'not ready to initialise the data dir yet'),
    });
  } catch (error) {
    await wipeAfterFailure(layout, logger);
    throw error;
  }
}

/**
 * The data dir's own half of the init decision: keep, adopt or refuse (an
 * outcome), or make it empty for the peers' half (undefined). A marker that
 * outlived its data becomes the `lost` record first (one rename), then what is
 * left goes: a crash in between leaves either the marker over no data or the
 * record over whatever is left, and both lead here again.
 */
async function actOnDataDir(layout: DataDirLayout, logger: Logger): Promise<DataDirOutcome | undefined> {
  const { state, verdict } = await examineDataDir(layout);
  const local = planFromDataDir(state);
  const context = { dataDir: layout.dataDir, state, plan: local.action, reason: verdict?.reason ?? local.reason };
  switch (local.action) {
    case 'keep':
      if (verdict?.kind === 'unproven') {
        await writeMarker(layout, verdict.how, verdict.dataDirId);
        logger.warn(context, 'data dir kept; its marker now names it by id');
      } else logger.info(context, 'data dir already initialized: nothing to do');
      return 'kept';
    case 'adopt':
      await writeMarker(layout, 'adopt');
      logger.warn(context, 'data dir holds server files without our marker: adopted them as they are');
      return 'adopted';
    case 'refuse':
      throw new AgentError('prepare', `${context.reason}. If this pod's data is lost, empty ${layout.dataDir} (hidden files too) and restart the pod to clone it again; to keep these files as they are, delete ${layout.marker} and restart the pod`);
    case 'lost':
      logger.warn(context, "this pod's data is gone but its marker is not: treating it as a lost volume (it never starts empty while a peer holds data)");
      await rename(layout.marker, layout.lost);
      await fsyncDirectory(layout.stateDir);
      await wipeDataDir(layout);
      return undefined;
    case 'restart-clone':
      logger.warn(context, 'an interrupted clone left files behind: removing them and starting over');
      await wipeDataDir(layout);
      return undefined;
    case 'ask-peers':
      return undefined;
    }
}

/**
 * Wipes what a failed clone left; false when it could not (a read-only or
 * failing volume): the failure that brought us here is still the one to
 * report, and a next init wipes again, since nothing unmarked is trusted.
 */
async function wipeAfterFailure(layout: DataDirLayout, logger: Logger): Promise<boolean> {
  try {
    await wipeDataDir(layout);
    return true;
  } catch (error) {
    logger.warn({ dataDir: layout.dataDir, error: (error as Error).message }, 'could not wipe what the failed clone left; the next init wipes it');
    return false;
  }
}

/**
 * One round for an empty data dir: find the donors, then bootstrap, or clone
 * from the donors in the plan's order. With the CLONE plugin the clone needs a
 * running server: init records the decision and the sidecar carries it out.
 */
async function attempt(input: PrepareInput & { layout: DataDirLayout; heldData: boolean }): Promise<DataDirOutcome> {
  const { config, logger, tracker } = input;
  tracker?.enter('deciding');
  // Peers' answers are believed only when signed with it, so even a bootstrap needs it (ARCHITECTURE.md, "Peers prove who they are").
  const cloneSecret = requireSecret(config.secrets.cloneSecret, 'CLONE_SECRET', 'init checks its peers\' answers and clones with it');
  const search = await findDonors({ config, client: input.client, cloneSecret, signal: input.signal, heldData: input.heldData });
  logger.info({ plan: search.plan.action, reason: search.plan.reason, peers: search.peers, method: input.method }, 'decided how to initialise the data dir');
  if (search.plan.action === 'bootstrap') return 'bootstrap';
  // A secret that differs from the set's is not retried until the deadline: the kubelet's restarts pace it.
  if (search.secretMismatch !== undefined) throw new ConfigError([search.secretMismatch]);
  if (search.plan.action === 'wait') {
    tracker?.enter('waiting-for-donor', search.plan.reason);
    throw new AgentError('clone', `failed to find a donor: ${search.plan.reason}`);
  }
  tracker?.enter('deciding', search.plan.reason);
  if (input.method === 'clone-plugin') {
    await writeCloneRequest(input.layout, search.plan.reason);
    logger.info({ donors: search.donors.map((donor) => donor.name) }, 'the server will clone itself with the CLONE plugin once it runs');
    return 'clone-pending';
  }
  const tls = await loadCloneTls(config.cloneTls);
  // Loaded here: the stream's process handling (execa) is a tenth of init's start-up, and only this method needs it.
  const { cloneFrom } = await import('../clone/recipient/stream-clone.js');
  const failures: AgentError[] = [];
  for (const donor of search.donors) {
    try {
      await cloneFrom({
        donor: { ...donor, port: config.ports.clone },
        tls,
        layout: input.layout,
        pod: config.identity.podName,
        set: setIdentity(config.identity),
        cloneSecret,
        flavor: input.flavor,
        parallel: config.cloneParallel,
        logger,
        signal: input.signal,
        tracker,
      });
      return 'cloned';
    } catch (error) {
      // Stopped: no next donor; the caller wipes what this one left.
      input.signal.throwIfAborted();
      if (!(error instanceof AgentError)) throw error;
      const wiped = await wipeAfterFailure(input.layout, logger);
      // This volume's own fault: the next donor would fail the same way, after another full backup.
      if (!wiped || !classifyFailure(error).nextDonorMayHelp) throw error;
      logger.warn({ donor: donor.name, error: error.message }, 'clone failed; trying the next donor');
      failures.push(error);
    }
  }
  const last = failures.at(-1);
  // Permanent only when every donor's failure was (each refused our secret): one donor gone is worth another round.
  const fault = failures.length > 0 && failures.every((failure) => classifyFailure(failure).permanent) ? last?.fault : undefined;
  throw new AgentError(last?.stage ?? 'clone', `failed to clone from any donor: ${failures.map((f) => f.message).join('; ') || 'no donor has an address'}`, { fault });
}
