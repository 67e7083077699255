import { describe, expect, it } from 'vitest';
import type { TcpSocket } from '../../../src/fs/proc-net-tcp.js';
import { findStalledThreads, STALLED_RETRANSMITS } from '../../../src/replication/stalled-dumps.js';

function socket(address: string, port: number, retransmits: number, state = 1): TcpSocket {
  return { local: { address: '198.18.0.10', port: 3306 }, remote: { address, port }, state, unacknowledgedBytes: 80_000, retransmits };
}

describe('stalled binlog dump threads', () => {
  it('finds the replica connection whose socket went unacknowledged for STALLED_RETRANSMITS timeouts, and only it', () => {
    const threads = [
      { id: 16, host: '198.18.0.11:33174' },
      { id: 17, host: '198.18.0.12:40000' },
      { id: 18, host: '198.18.0.13:40001' },
    ];
    const sockets = [socket('198.18.0.11', 33174, STALLED_RETRANSMITS), socket('198.18.0.12', 40000, STALLED_RETRANSMITS - 1), socket('198.18.0.13', 40002, 9)];
    expect(findStalledThreads(threads, sockets).map((t) => t.id)).toEqual([16]);
  });

  it('leaves a healthy replica, a socket no longer established, and a thread with an unreadable host', () => {
    const threads = [
      { id: 1, host: '198.18.0.11:1000' },
      { id: 2, host: '198.18.0.11:1001' },
      { id: 3, host: 'localhost' },
    ];
    const sockets = [socket('198.18.0.11', 1000, 0), socket('198.18.0.11', 1001, 8, 4)];
    expect(findStalledThreads(threads, sockets)).toEqual([]);
  });

  it('matches an IPv6 peer however the server and the kernel spell it', () => {
    const threads = [{ id: 5, host: '2001:db8::2:51000' }, { id: 6, host: '[::1]:51001' }, { id: 7, host: '::ffff:198.18.0.11:51002' }];
    const sockets = [socket('2001:db8:0:0:0:0:0:2', 51000, 5), socket('0:0:0:0:0:0:0:1', 51001, 5), socket('198.18.0.11', 51002, 5)];
    expect(findStalledThreads(threads, sockets).map((t) => t.id)).toEqual([5, 6, 7]);
  });
});
