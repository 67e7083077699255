import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type PeerCandidate, type PeerPlan, planFromDataDir, planFromPeers, secretMismatch } from '../../../src/clone/plan.js';
import type { DataDirState } from '../../../src/data-dir/state.js';

function peer(ordinal: number, extra: Partial<PeerCandidate> = {}): PeerCandidate {
  return {
    name: `mysql-${ordinal}`,
    ordinal,
    reachable: true,
    ready: true,
    holdsData: true,
    serverUp: true,
    progress: 100,
    lagSeconds: 0,
    ...extra,
  };
}

function donorNames(plan: PeerPlan): string[] | undefined {
  return plan.action === 'clone' ? plan.donors.map((donor) => donor.name) : undefined;
}

describe('planFromDataDir: what the data dir alone decides', () => {
  it('keeps an initialized data dir', () => {
    expect(planFromDataDir('initialized')).toEqual({ action: 'keep', reason: 'the data dir is initialized (marker present)' });
  });

  it('restarts an interrupted clone', () => {
    expect(planFromDataDir('interrupted')).toEqual({ action: 'restart-clone', reason: 'an interrupted clone left a staging dir' });
  });

  it('adopts server files without a marker', () => {
    expect(planFromDataDir('unmarked-data')).toEqual({
      action: 'adopt',
      reason: 'the data dir holds server files but no marker: adopting them',
    });
  });

  it('takes a marker over no server data for a lost volume, and refuses server files the marker does not vouch for', () => {
    expect(planFromDataDir('lost')).toEqual({ action: 'lost', reason: 'the marker is there but the data dir holds no server data: a lost volume' });
    expect(planFromDataDir('mismatch')).toEqual({ action: 'refuse', reason: 'the data dir holds server files the marker does not vouch for' });
  });

  it('asks the peers only about an empty data dir', () => {
    expect(planFromDataDir('empty')).toEqual({ action: 'ask-peers', reason: 'the data dir is empty' });
  });
});

describe('planFromPeers: an empty replica (ordinal > 0)', () => {
  it('clones from the previous ordinal first when it is ready, then the others best first', () => {
    const plan = planFromPeers({
      ordinal: 2,
      peers: [peer(0, { progress: 500 }), peer(1, { progress: 10 }), peer(3, { progress: 400 })],
    });
    expect(plan).toEqual({
      action: 'clone',
      donors: [peer(1, { progress: 10 }), peer(0, { progress: 500 }), peer(3, { progress: 400 })],
      reason: 'cloning from mysql-1',
    });
  });

  it('falls back to the most advanced other ready peer when the previous ordinal is not ready', () => {
    const plan = planFromPeers({
      ordinal: 3,
      peers: [peer(0, { progress: 50 }), peer(1, { progress: 70 }), peer(2, { ready: false, progress: 999 })],
    });
    expect(donorNames(plan)).toEqual(['mysql-1', 'mysql-0']);
    expect(plan.reason).toBe('cloning from mysql-1');
  });

  it('falls back when the previous ordinal is unreachable or holds no data', () => {
    const unreachable = planFromPeers({ ordinal: 2, peers: [peer(0), peer(1, { reachable: false })] });
    expect(donorNames(unreachable)).toEqual(['mysql-0']);
    const noData = planFromPeers({ ordinal: 2, peers: [peer(0), peer(1, { holdsData: false })] });
    expect(donorNames(noData)).toEqual(['mysql-0']);
  });

  it('breaks progress ties by the lowest lag (unknown lag last), then the lowest ordinal', () => {
    const plan = planFromPeers({
      ordinal: 1,
      peers: [
        peer(6, { progress: 100, lagSeconds: undefined }),
        peer(5, { progress: 100, lagSeconds: 3 }),
        peer(4, { progress: 100, lagSeconds: 0.5 }),
        peer(3, { progress: 100, lagSeconds: 3 }),
        peer(2, { progress: 200, lagSeconds: 50 }),
        peer(7, { progress: 100, lagSeconds: undefined }),
      ],
    });
    expect(donorNames(plan)).toEqual(['mysql-2', 'mysql-4', 'mysql-3', 'mysql-5', 'mysql-6', 'mysql-7']);
  });

  it('never clones from itself, even when it appears among the peers as ready', () => {
    const plan = planFromPeers({ ordinal: 2, peers: [peer(2, { progress: 1000 }), peer(0)] });
    expect(donorNames(plan)).toEqual(['mysql-0']);
  });

  it('never clones from an unready or unreachable peer', () => {
    const plan = planFromPeers({
      ordinal: 1,
      peers: [peer(0, { ready: false }), peer(2, { reachable: false, progress: 900 }), peer(3)],
    });
    expect(donorNames(plan)).toEqual(['mysql-3']);
  });

  it.each([
    ['no peers at all', []],
    ['only itself', [peer(1)]],
    ['only unready peers', [peer(0, { ready: false }), peer(2, { ready: false })]],
    ['only unreachable peers', [peer(0, { reachable: false }), peer(2, { reachable: false })]],
    ['only ready peers without data', [peer(0, { holdsData: false }), peer(2, { holdsData: false })]],
  ])('waits when no peer is ready (%s)', (_what, peers) => {
    expect(planFromPeers({ ordinal: 1, peers })).toEqual({
      action: 'wait',
      reason: 'no peer is ready to donate a clone yet',
    });
  });

  it('never bootstraps a replica', () => {
    expect(planFromPeers({ ordinal: 4, peers: [] }).action).toBe('wait');
  });
});

describe('planFromPeers: an empty primary (ordinal 0)', () => {
  it('clones from the most advanced peer holding data, even one that is not ready', () => {
    const plan = planFromPeers({
      ordinal: 0,
      peers: [
        peer(1, { progress: 40 }),
        peer(2, { ready: false, progress: 90, lagSeconds: undefined }),
        peer(3, { holdsData: false, progress: 0 }),
      ],
    });
    expect(plan).toEqual({
      action: 'clone',
      donors: [peer(2, { ready: false, progress: 90, lagSeconds: undefined }), peer(1, { progress: 40 })],
      reason: 'peers hold data: cloning from the most advanced (mysql-2)',
    });
  });

  it('does not prefer ordinal 1 (there is no previous ordinal) but the most advanced', () => {
    const plan = planFromPeers({ ordinal: 0, peers: [peer(1, { progress: 1 }), peer(2, { progress: 2 })] });
    expect(donorNames(plan)).toEqual(['mysql-2', 'mysql-1']);
  });

  it('clones from a peer holding data even when another peer did not answer', () => {
    const plan = planFromPeers({ ordinal: 0, peers: [peer(1, { reachable: false }), peer(2, { ready: false })] });
    expect(donorNames(plan)).toEqual(['mysql-2']);
  });

  it('breaks ties by lag, then ordinal', () => {
    const plan = planFromPeers({
      ordinal: 0,
      peers: [peer(3, { lagSeconds: 2 }), peer(2, { lagSeconds: undefined }), peer(1, { lagSeconds: 2 }), peer(4, { lagSeconds: 1 })],
    });
    expect(donorNames(plan)).toEqual(['mysql-4', 'mysql-1', 'mysql-3', 'mysql-2']);
  });

  it('ignores itself among the peers', () => {
    expect(planFromPeers({ ordinal: 0, peers: [peer(0)] })).toEqual({
      action: 'bootstrap',
      reason: 'no peer holds data: the server initialises an empty data dir',
    });
  });

  it('bootstraps only when every other peer answered and none holds data', () => {
    const expected = { action: 'bootstrap', reason: 'no peer holds data: the server initialises an empty data dir' };
    expect(planFromPeers({ ordinal: 0, peers: [] })).toEqual(expected);
    expect(
      planFromPeers({
        ordinal: 0,
        peers: [peer(1, { holdsData: false, ready: false }), peer(2, { holdsData: false })],
      }),
    ).toEqual(expected);
  });

  it('never starts an empty primary over data its marker vouched for: waits, and still clones from a peer that holds data', () => {
    const waits = planFromPeers({ ordinal: 0, peers: [peer(1, { holdsData: false }), peer(2, { holdsData: false, ready: false })], heldData: true });
    expect(waits.action).toBe('wait');
    expect(waits.reason).toMatch(/^this pod's data is lost .*restore the volume, or delete the `lost` file in STATE_DIR to start empty$/);
    expect(planFromPeers({ ordinal: 0, peers: [], heldData: true }).action).toBe('wait');
    const clones = planFromPeers({ ordinal: 0, peers: [peer(1, { progress: 5 }), peer(2, { progress: 9, ready: false })], heldData: true });
    expect(donorNames(clones)).toEqual(['mysql-2', 'mysql-1']);
    expect(planFromPeers({ ordinal: 1, peers: [peer(0)], heldData: true }).action).toBe('clone');
  });

  it('waits when a peer did not answer and none is known to hold data', () => {
    expect(
      planFromPeers({
        ordinal: 0,
        peers: [peer(1, { holdsData: false }), peer(2, { reachable: false }), peer(3, { reachable: false, holdsData: false })],
      }),
    ).toEqual({
      action: 'wait',
      reason: 'mysql-2, mysql-3 did not answer: cannot tell whether they hold data, so not starting empty',
    });
  });
});

describe('planFromPeers: peers still in init or starting their server (podManagementPolicy: Parallel)', () => {
  // What a peer's init serves while it runs: its data dir, its server down, not Ready.
  const inInit = (ordinal: number, holdsData: boolean, progress = 0) => peer(ordinal, { ready: false, serverUp: false, holdsData, progress, lagSeconds: undefined });

  it('a fresh set: every peer answers from init with an empty data dir, so mysql-0 bootstraps', () => {
    expect(planFromPeers({ ordinal: 0, peers: [inInit(1, false), inInit(2, false)] })).toEqual({
      action: 'bootstrap',
      reason: 'no peer holds data: the server initialises an empty data dir',
    });
  });

  it('a fresh set: a replica whose peers are all in init waits (it never bootstraps)', () => {
    expect(planFromPeers({ ordinal: 1, peers: [inInit(0, false), inInit(2, false)] }).action).toBe('wait');
  });

  it('a lost primary volume: a replica in init that holds data blocks the bootstrap, even when the others answered empty', () => {
    expect(planFromPeers({ ordinal: 0, peers: [inInit(1, true, 50), inInit(2, false)] })).toEqual({
      action: 'wait',
      reason: 'peers holding data are not up yet (mysql-1): waiting to clone from the most advanced',
    });
  });

  it('a lost primary volume: a holder whose server is not up yet keeps mysql-0 from cloning a less advanced one', () => {
    const plan = planFromPeers({ ordinal: 0, peers: [peer(1, { progress: 40 }), inInit(2, true, 30)] });
    expect(plan.action).toBe('wait');
    expect(plan.reason).toContain('mysql-2');
  });

  it('a lost primary volume: once every holder runs, mysql-0 clones from the most advanced', () => {
    const plan = planFromPeers({ ordinal: 0, peers: [peer(1, { progress: 40, ready: false }), peer(2, { progress: 45, ready: false }), inInit(3, false)] });
    expect(donorNames(plan)).toEqual(['mysql-2', 'mysql-1']);
  });

  it('a replica never clones from a peer whose server is not up, whatever it holds', () => {
    expect(planFromPeers({ ordinal: 2, peers: [peer(0, { serverUp: false }), inInit(1, true, 9)] }).action).toBe('wait');
  });
});

describe('plan properties', () => {
  const peerArb = fc.record({
    ordinal: fc.nat({ max: 9 }),
    reachable: fc.boolean(),
    ready: fc.boolean(),
    holdsData: fc.boolean(),
    serverUp: fc.boolean(),
    progress: fc.nat({ max: 5 }),
    lagSeconds: fc.option(fc.nat({ max: 3 }), { nil: undefined }),
  });
  const peersArb = fc
    .uniqueArray(peerArb, { selector: (p) => p.ordinal, maxLength: 8 })
    .map((list) => list.map((p): PeerCandidate => ({ ...p, name: `mysql-${p.ordinal}` })));
  const dataDirArb = fc.constantFrom<DataDirState>('initialized', 'interrupted', 'clone-pending', 'empty', 'unmarked-data', 'lost', 'mismatch');

  it('never lists the pod itself, or a peer without data or unreachable, as a donor', () => {
    fc.assert(
      fc.property(fc.nat({ max: 9 }), peersArb, (ordinal, peers) => {
        const plan = planFromPeers({ ordinal, peers });
        if (plan.action !== 'clone') return;
        expect(plan.donors.length).toBeGreaterThan(0);
        for (const donor of plan.donors) {
          expect(donor.ordinal).not.toBe(ordinal);
          expect(donor.holdsData).toBe(true);
          expect(donor.reachable).toBe(true);
          expect(donor.serverUp).toBe(true);
          if (ordinal > 0) expect(donor.ready).toBe(true);
        }
        expect(plan.reason).toContain(plan.donors[0]?.name);
      }),
    );
  });

  it('ordinal 0: never bootstraps while a reachable peer holds data, up or not, and bootstraps when all answered empty', () => {
    fc.assert(
      fc.property(peersArb, (peers) => {
        const plan = planFromPeers({ ordinal: 0, peers });
        const others = peers.filter((p) => p.ordinal !== 0);
        const holders = others.filter((p) => p.reachable && p.holdsData);
        if (holders.some((p) => !p.serverUp)) {
          expect(plan.action).toBe('wait');
        } else if (holders.length > 0) {
          expect(plan.action).toBe('clone');
          expect(new Set(donorNames(plan))).toEqual(new Set(holders.map((p) => p.name)));
          const best = Math.max(...holders.map((p) => p.progress));
          expect(plan.action === 'clone' ? plan.donors[0]?.progress : undefined).toBe(best);
        } else if (others.some((p) => !p.reachable)) {
          expect(plan.action).toBe('wait');
        } else {
          expect(plan.action).toBe('bootstrap');
        }
      }),
    );
  });

  it('ordinal > 0: clones from every eligible peer, the previous ordinal first, then never less advanced before more', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), peersArb, (ordinal, peers) => {
        const plan = planFromPeers({ ordinal, peers });
        const eligible = peers.filter((p) => p.ordinal !== ordinal && p.reachable && p.ready && p.holdsData && p.serverUp);
        if (eligible.length === 0) {
          expect(plan.action).toBe('wait');
          return;
        }
        expect(plan.action).toBe('clone');
        if (plan.action !== 'clone') return;
        expect(new Set(plan.donors.map((d) => d.name))).toEqual(new Set(eligible.map((p) => p.name)));
        expect(plan.donors).toHaveLength(eligible.length);
        const previousEligible = eligible.some((p) => p.ordinal === ordinal - 1);
        if (previousEligible) expect(plan.donors[0]?.ordinal).toBe(ordinal - 1);
        const rest = plan.donors.slice(previousEligible ? 1 : 0);
        for (let i = 1; i < rest.length; i++) {
          expect(rest[i - 1]?.progress).toBeGreaterThanOrEqual(rest[i]?.progress ?? Number.NaN);
        }
      }),
    );
  });

  it('never bootstraps a replica', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), peersArb, (ordinal, peers) => {
        expect(planFromPeers({ ordinal, peers }).action).not.toBe('bootstrap');
      }),
    );
  });

  it('never clones into, or bootstraps over, a data dir that is not empty: only an empty one asks the peers', () => {
    fc.assert(
      fc.property(dataDirArb, (dataDir) => {
        const plan = planFromDataDir(dataDir);
        expect(plan.action === 'ask-peers').toBe(dataDir === 'empty');
      }),
    );
  });
});

describe('secretMismatch: when waiting for peers cannot help', () => {
  const wrong = (ordinal: number) => peer(ordinal, { reachable: false, wrongProof: true, note: 'answered with a proof that does not check' });
  const silent = (ordinal: number) => peer(ordinal, { reachable: false, note: 'no answer' });

  it('names the peers whose proofs do not check when none proved itself', () => {
    expect(secretMismatch([wrong(0), silent(1), wrong(2)])).toBe(
      'CLONE_SECRET is not the one mysql-0, mysql-2 sign with (their answers do not check): mount the same Secret in every pod of the set',
    );
  });

  it('says nothing while a peer proved itself (one misconfigured peer is not our fault) or when peers are only silent', () => {
    expect(secretMismatch([wrong(0), peer(1)])).toBeUndefined();
    expect(secretMismatch([silent(0), silent(1)])).toBeUndefined();
    expect(secretMismatch([])).toBeUndefined();
  });
});
