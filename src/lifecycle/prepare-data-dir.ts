import { requireSecret, type Config } from '../config.js';
import { AgentError, ConfigError } from '../errors.js';
import type { DnsClient } from '../discovery/dns-client.js';
import { discoverPeers } from '../discovery/discover.js';
import type { Logger } from '../log.js';
import type { Flavor } from '../mysql/server-version.js';
import { retryUntil } from '../retry.js';
import { cloneFrom } from '../clone/recipient/stream-clone.js';
import { dataDirLayout, type DataDirLayout } from '../data-dir/layout.js';
import { writeMarker } from '../data-dir/marker.js';
import { wipeDataDir } from '../data-dir/staging.js';
import { inspectDataDir } from '../data-dir/state.js';
import { planFromDataDir, planFromPeers, type PeerCandidate } from '../clone/plan.js';
import { getPeerCandidates } from '../clone/peer-status.js';
import { loadCloneTls } from '../clone/tls.js';

export type DataDirOutcome = 'kept' | 'adopted' | 'cloned' | 'bootstrap';

const BACKOFF = { baseMs: 1_000, maxMs: 15_000 };

/**
 * Brings the data dir to a state that is safe to start mysqld on, acting on
 * the init decision (ARCHITECTURE.md, "The init decision"): first what the data
 * dir says, then, for an empty one, what the peers say, retried with backoff
 * until the deadline. On failure the data dir is left empty: no half-written
 * data dir is ever left for the server to start on.
 */
export async function prepareDataDir(input: { config: Config; flavor: Flavor; client: DnsClient; logger: Logger }): Promise<DataDirOutcome> {
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
      isRetryable: (error) => !(error instanceof ConfigError),
      onRetry: ({ delayMs, error }) => logger.warn({ error: (error as Error).message, retryInMs: delayMs }, 'not ready to initialise the data dir yet'),
    });
  } catch (error) {
    await wipeDataDir(layout);
    throw error;
  }
}

/** One round for an empty data dir: discover, ask the peers, then bootstrap or clone from the donors in the plan's order. */
async function attempt(input: { config: Config; flavor: Flavor; client: DnsClient; logger: Logger; layout: DataDirLayout }): Promise<DataDirOutcome> {
  const { config, logger } = input;
  const discovery = await discoverPeers({ identity: config.identity, client: input.client, portName: config.dns.portName, mysqlPort: config.ports.mysql });
  const candidates = await getPeerCandidates(discovery.peers, config.ports.http);
  const plan = planFromPeers({ ordinal: config.identity.ordinal, peers: candidates });
  logger.info({ plan: plan.action, reason: plan.reason, peers: candidates.map(describeCandidate) }, 'decided how to initialise the data dir');
  if (plan.action === 'bootstrap') return 'bootstrap';
  if (plan.action === 'wait') throw new AgentError('clone', `failed to find a donor: ${plan.reason}`);
  const cloneSecret = requireSecret(config.secrets.cloneSecret, 'CLONE_SECRET', 'this pod must clone its data from a peer');
  const tls = await loadCloneTls(config.cloneTls);
  const failures: AgentError[] = [];
  for (const candidate of plan.donors) {
    const peer = discovery.peers.find((found) => found.ordinal === candidate.ordinal);
    if (peer?.address === undefined) continue;
    try {
      await cloneFrom({
        donor: { name: peer.name, fqdn: peer.fqdn, address: peer.address, port: config.ports.clone },
        tls,
        layout: input.layout,
        pod: config.identity.podName,
        cloneSecret,
        flavor: input.flavor,
        parallel: config.cloneParallel,
        logger,
      });
      return 'cloned';
    } catch (error) {
      if (!(error instanceof AgentError)) throw error;
      logger.warn({ donor: candidate.name, error: error.message }, 'clone failed; trying the next donor');
      failures.push(error);
      await wipeDataDir(input.layout);
    }
  }
  const last = failures.at(-1);
  throw new AgentError(last?.stage ?? 'clone', `failed to clone from any donor: ${failures.map((f) => f.message).join('; ') || 'no donor has an address'}`);
}

function describeCandidate(peer: PeerCandidate): string {
  if (!peer.reachable) return `${peer.name}: no answer`;
  return `${peer.name}: ${peer.ready ? 'ready' : 'not ready'}, ${peer.holdsData ? `data (progress ${peer.progress})` : 'no data'}`;
}
