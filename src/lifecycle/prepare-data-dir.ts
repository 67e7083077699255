import { requireSecret, type Config } from '../config.js';
import { AgentError, ConfigError } from '../errors.js';
import type { DnsClient } from '../discovery/dns-client.js';
import type { Logger } from '../log.js';
import type { Flavor } from '../mysql/server-version.js';
import { retryUntil } from '../retry.js';
import { dataDirLayout, type DataDirLayout } from '../data-dir/layout.js';
import { writeMarker } from '../data-dir/marker.js';
import { wipeDataDir } from '../data-dir/staging.js';
import { inspectDataDir } from '../data-dir/state.js';
import { findDonors } from '../clone/find-donors.js';
import type { CloneMethod } from '../clone/method.js';
import { planFromDataDir } from '../clone/plan.js';
import { writeCloneRequest } from '../data-dir/clone-request.js';
import { loadCloneTls } from '../clone/tls.js';
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
  const layout = dataDirLayout(config.dataDir);
  const state = await inspectDataDir(layout);
  const local = planFromDataDir(state);
  const context = { dataDir: config.dataDir, state, plan: local.action, reason: local.reason };
  if (local.action === 'keep') {
    logger.info(context, 'data dir already initialized: nothing to do');
    return 'kept';
  }
  if (local.action === 'adopt') {
    await writeMarker(layout, 'adopt');
    logger.warn(context, 'data dir holds server files without our marker: adopted them as they are');
    return 'adopted';
  }
  if (local.action === 'restart-clone') {
    logger.warn(context, 'an interrupted clone left files behind: removing them and starting over');
    await wipeDataDir(layout);
  }
  try {
    return await retryUntil(() => attempt({ ...input, layout }), {
      ...BACKOFF,
      deadline: Date.now() + config.initDeadlineSeconds * 1000,
      signal: input.signal,
      isRetryable: (error) => !(error instanceof ConfigError),
      onRetry: ({ delayMs, error }) => logger.warn({ error: (error as Error).message, retryInMs: delayMs }, 'not ready to initialise the data dir yet'),
    });
  } catch (error) {
    await wipeDataDir(layout);
    throw error;
  }
}

/**
 * One round for an empty data dir: find the donors, then bootstrap, or clone
 * from the donors in the plan's order. With the CLONE plugin the clone needs a
 * running server: init records the decision and the sidecar carries it out.
 */
async function attempt(input: PrepareInput & { layout: DataDirLayout }): Promise<DataDirOutcome> {
  const { config, logger, tracker } = input;
  tracker?.enter('deciding');
  const search = await findDonors({ config, client: input.client, signal: input.signal });
  logger.info({ plan: search.plan.action, reason: search.plan.reason, peers: search.peers, method: input.method }, 'decided how to initialise the data dir');
  if (search.plan.action === 'bootstrap') return 'bootstrap';
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
  const cloneSecret = requireSecret(config.secrets.cloneSecret, 'CLONE_SECRET', 'this pod must clone its data from a peer');
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
      logger.warn({ donor: donor.name, error: error.message }, 'clone failed; trying the next donor');
      failures.push(error);
      await wipeDataDir(input.layout);
    }
  }
  const last = failures.at(-1);
  throw new AgentError(last?.stage ?? 'clone', `failed to clone from any donor: ${failures.map((f) => f.message).join('; ') || 'no donor has an address'}`);
}
