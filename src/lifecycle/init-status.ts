import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { InitTracker } from '../clone/init-progress.js';
import { CHALLENGE_HEADER, challengeOf, PROOF_HEADER, statusProver } from '../clone/status-proof.js';
import type { Config } from '../config.js';
import { readCloneInfo } from '../data-dir/clone-info.js';
import { valueOf } from '../data-dir/state-file.js';
import { dataDirLayout } from '../data-dir/layout.js';
import { inspectDataDir } from '../data-dir/state.js';
import type { StatusDocument } from '../http/status-document.js';
import { createLimitedHttpServer } from '../http/limits.js';
import type { Logger } from '../log.js';
import type { Flavor } from '../mysql/server-version.js';
import { podFields } from './status.js';

/** Init's status server: `close` ends it and every connection, so the sidecar can bind the port next. */
export interface InitStatusServer {
  readonly close: () => Promise<void>;
}

interface InitStatusInput {
  readonly config: Config;
  readonly logger: Logger;
  readonly version: string;
  readonly flavor: Flavor;
  readonly tracker: InitTracker;
}

/**
 * Serves GET /status on HTTP_PORT while init runs (ARCHITECTURE.md, "Init
 * answers peers"): the data dir as it is at each request, the clone it
 * recorded, the server down, not Ready, and init's phase. Read-only, node:http
 * with the sidecar's connection limits. A port it cannot bind is logged and
 * init goes on: peers then count this pod as not answering, as before.
 */
export async function startInitStatus(input: InitStatusInput): Promise<InitStatusServer> {
  const startedAt = new Date();
  const server = createLimitedHttpServer((request, response) => void answer(input, startedAt, request, response));
  const { httpHost, ports } = input.config;
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: httpHost, port: ports.http }, () => resolve());
    });
  } catch (error) {
    input.logger.warn({ error: (error as Error).message, port: ports.http }, 'init cannot serve its status: peers will count this pod as not answering');
    return { close: async () => undefined };
  }
  input.logger.info({ port: ports.http }, 'serving init status');
  return { close: () => closeServer(server) };
}

async function answer(input: InitStatusInput, startedAt: Date, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const path = (request.url ?? '').split('?')[0];
  if (request.method !== 'GET' || path !== '/status') {
    send(response, 404, { error: 'init serves only GET /status; probes, metrics and the clone donor start with the sidecar' });
    return;
  }
  try {
    const body = JSON.stringify(await buildInitStatus(input, startedAt));
    // Signed as the sidecar signs (ARCHITECTURE.md, "Peers prove who they are"): an unsigned answer counts as no answer.
    const challenge = challengeOf(request.headers[CHALLENGE_HEADER]);
    const secret = input.config.secrets.cloneSecret;
    const proof = challenge === undefined || secret === undefined ? undefined : statusProver(input.config.identity, secret)(challenge, body);
    sendText(response, 200, body, proof === undefined ? {} : { [PROOF_HEADER]: proof });
  } catch (error) {
    // Peers take anything but 200 as no answer: a data dir that cannot be read is never reported as empty.
    send(response, 500, { error: (error as Error).message });
  }
}

/** The sidecar's /status shape, as far as init knows it: what the data dir holds, and its recorded coordinates. */
export async function buildInitStatus(input: InitStatusInput, startedAt: Date): Promise<StatusDocument> {
  const { config, tracker } = input;
  const layout = dataDirLayout(config.dataDir, config.stateDir);
  const dataDir = await inspectDataDir(layout);
  const clone = valueOf(await readCloneInfo(layout));
  const progress = tracker.current;
  return {
    ...podFields(config, input.version, startedAt),
    ready: false,
    reasons: [`init is running (${progress.phase}): the server is not started yet`],
    dataDir,
    server: { up: false, version: null, flavor: input.flavor, readOnly: null, gtidPosition: null, error: 'not started: init is running', checkedAt: null },
    replication: null,
    lag: null,
    errant: null,
    heartbeat: null,
    lastError: null,
    clone: clone ?? null,
    cloning: null,
    init: progress,
  };
}

function send(response: ServerResponse, status: number, body: unknown): void {
  sendText(response, status, JSON.stringify(body), {});
}

function sendText(response: ServerResponse, status: number, text: string, headers: Record<string, string>): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Stops listening and ends every connection (keep-alive ones too), so the port is free when this resolves. */
function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
