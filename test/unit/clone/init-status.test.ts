import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InitTracker } from '../../../src/clone/init-progress.js';
import { readPeerAnswer } from '../../../src/clone/peer-answer.js';
import { candidateFromAnswer } from '../../../src/clone/peer-status.js';
import { loadConfig } from '../../../src/config.js';
import { writeCloneInfo } from '../../../src/data-dir/clone-info.js';
import { writeCloneRequest } from '../../../src/data-dir/clone-request.js';
import { dataDirLayout, type DataDirLayout } from '../../../src/data-dir/layout.js';
import { writeMarker } from '../../../src/data-dir/marker.js';
import { buildInitStatus } from '../../../src/lifecycle/init-status.js';
import { createLogger } from '../../../src/log.js';

/**
 * What a peer concludes from the /status an init serves (ARCHITECTURE.md,
 * "Init answers peers"): the data dir as it is on disk, never "no data" for a
 * volume that holds some, and never a donor while the server is down.
 */

const dir = mkdtempSync(join(tmpdir(), 'msa-init-status-unit-'));
writeFileSync(join(dir, 'resolv.conf'), 'nameserver 10.96.0.10\n');
const GTID = '0-100-57';

async function initAnswerOn(prepare: (layout: DataDirLayout) => Promise<void>, tracker = new InitTracker()) {
  const layout = dataDirLayout(mkdtempSync(join(dir, 'data-')), mkdtempSync(join(dir, 'state-')));
  await prepare(layout);
  const env = { POD_NAME: 'mysql-2', RESOLV_CONF: join(dir, 'resolv.conf'), DATA_DIR: layout.dataDir, STATE_DIR: layout.stateDir, MYSQL_FLAVOR: 'mariadb', PATH: '/usr/bin' };
  const config = loadConfig(env);
  const logger = createLogger({ level: 'silent', pod: 'mysql-2', phase: 'init' });
  const status = await buildInitStatus({ config, logger, version: '9.9.9', flavor: 'mariadb', tracker }, new Date());
  // Through the wire and the same reader a peer uses.
  return { status, candidate: candidateFromAnswer({ name: 'mysql-2', ordinal: 2 }, readPeerAnswer(JSON.parse(JSON.stringify(status)))) };
}

const recordedClone = async (layout: DataDirLayout) => {
  mkdirSync(join(layout.dataDir, 'mysql'));
  await writeMarker(layout, 'clone');
  await writeCloneInfo(layout, { donor: 'mysql-1', coordinates: { binlogFile: 'b.000001', binlogPosition: 4, gtid: GTID }, bytes: 1, seconds: 1, finishedAt: 'x' });
};

describe("an init's /status, as a peer reads it", () => {
  it('an empty volume: holds nothing, not Ready, not a donor', async () => {
    const { status, candidate } = await initAnswerOn(async () => undefined);
    expect(status.dataDir).toBe('empty');
    expect(candidate).toMatchObject({ reachable: true, ready: false, holdsData: false, serverUp: false, progress: 0 });
  });

  it('a restarted pod whose clone is recorded: holds data, with the recorded GTID position as its progress, its server down', async () => {
    const { status, candidate } = await initAnswerOn(recordedClone);
    expect({ dataDir: status.dataDir, up: status.server.up, gtid: status.clone?.coordinates.gtid, role: status.role }).toEqual({
      dataDir: 'initialized',
      up: false,
      gtid: GTID,
      role: 'replica',
    });
    expect(candidate).toMatchObject({ holdsData: true, serverUp: false, ready: false, progress: 57 });
  });

  it('server files without a marker (a server of its own, or before the agent): holds data', async () => {
    const { candidate } = await initAnswerOn(async (layout) => void mkdirSync(join(layout.dataDir, 'mysql')));
    expect(candidate.holdsData).toBe(true);
  });

  it('a clone in progress (staging) or a CLONE-plugin request: holds nothing of the set', async () => {
    const staging = await initAnswerOn(async (layout) => void mkdirSync(layout.staging, { recursive: true }));
    expect([staging.status.dataDir, staging.candidate.holdsData]).toEqual(['interrupted', false]);
    const pending = await initAnswerOn(async (layout) => void (await writeCloneRequest(layout, 'test')));
    expect([pending.status.dataDir, pending.candidate.holdsData]).toEqual(['clone-pending', false]);
  });

  it('shows the phase and the clone in flight, which the commit keeps and a new round clears', async () => {
    const tracker = new InitTracker();
    tracker.enter('waiting-for-donor', 'no peer is ready to donate a clone yet');
    expect((await initAnswerOn(async () => undefined, tracker)).status.init).toMatchObject({ phase: 'waiting-for-donor', reason: 'no peer is ready to donate a clone yet', clone: null });
    tracker.cloning('mysql-1', { bytes: 10, expectedBytes: 100 });
    tracker.cloning('mysql-1', { bytes: 60, expectedBytes: 100 });
    tracker.enter('committing');
    const { status } = await initAnswerOn(async () => undefined, tracker);
    expect(status.init).toMatchObject({ phase: 'committing', clone: { donor: 'mysql-1', bytes: 60, expectedBytes: 100 } });
    expect(status.reasons).toEqual(['init is running (committing): the server is not started yet']);
    tracker.enter('waiting-for-donor');
    expect(tracker.current.clone).toBeNull();
  });
});
