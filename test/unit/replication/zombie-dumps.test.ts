import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { findZombieDumps, type DumpThread } from '../../../src/replication/zombie-dumps.js';

describe('findZombieDumps', () => {
  it('ends the older dump threads of a replica address that has a newer one, and nothing else', () => {
    const threads: DumpThread[] = [
      { id: 40, user: 'repl', host: '198.18.0.12:40112' },
      { id: 57, user: 'repl', host: '198.18.0.12:40388' },
      { id: 63, user: 'repl', host: '198.18.0.12:40402' },
      { id: 41, user: 'repl', host: '198.18.0.11:51002' },
      { id: 12, user: 'other', host: '198.18.0.12:3999' },
    ];
    expect(findZombieDumps(threads).map((thread) => thread.id)).toEqual([40, 57]);
  });

  it('reads IPv6 addresses up to their last colon', () => {
    const threads: DumpThread[] = [
      { id: 5, user: 'repl', host: 'fd00::12:40112' },
      { id: 9, user: 'repl', host: 'fd00::12:40388' },
      { id: 7, user: 'repl', host: 'fd00::13:40388' },
    ];
    expect(findZombieDumps(threads).map((thread) => thread.id)).toEqual([5]);
  });

  it('always keeps the newest thread of every address', () => {
    const thread = fc.record({ id: fc.integer({ min: 1, max: 1000 }), user: fc.constantFrom('repl', 'x'), host: fc.constantFrom('10.0.0.1:1', '10.0.0.1:2', '10.0.0.2:1') });
    fc.assert(
      fc.property(fc.uniqueArray(thread, { selector: (t) => t.id }), (threads) => {
        const zombies = new Set(findZombieDumps(threads).map((t) => t.id));
        const addresses = new Set(threads.map((t) => `${t.user}@${t.host.split(':')[0]}`));
        const survivors = threads.filter((t) => !zombies.has(t.id));
        expect(new Set(survivors.map((t) => `${t.user}@${t.host.split(':')[0]}`)).size).toBe(addresses.size);
        expect(survivors.length).toBe(addresses.size);
      }),
    );
  });
});
