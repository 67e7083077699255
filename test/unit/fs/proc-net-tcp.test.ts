import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseProcNetTcp } from '../../../src/fs/proc-net-tcp.js';

/** Lines as the kernel printed them in a pod while a replica's link was cut (ss showed timer:(on,20sec,7), 80040 bytes queued). */
const TCP = `  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 00000000:0CEA 00000000:0000 0A 00000000:00000000 00:00000000 00000000   999        0 1855100 1 0000000000000000 100 0 0 10 0
   1: 0A0012C6:0CEA 0B0012C6:8136 01 00013898:00000000 01:000007D0 00000007   999        0 1855166 2 0000000000000000 26112 4 1 1 -1
`;
const TCP6 = `  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode
   0: 0000000000000000FFFF00000A0012C6:0CEA 0000000000000000FFFF00000C0012C6:C0DE 01 00000000:00000000 00:00000000 00000000   999        0 1855200 1 0000000000000000 20 4 30 10 -1
   1: 00000000000000000000000001000000:0CEA 00000000000000000000000001000000:A001 01 00000010:00000000 01:00000010 00000002   999        0 1855201 1 0000000000000000 20 4 30 10 -1
   2: B80D0120000000000000000001000000:0CEA B80D0120000000000000000002000000:A002 06 00000000:00000000 03:00000010 00000000     0        0 0 3 0000000000000000
`;

/** How /proc prints a 32-bit word of an address: its bytes in host (little-endian) order, as hex. */
function word(bytes: readonly number[]): string {
  return [...bytes]
    .reverse()
    .map((b) => b.toString(16).padStart(2, '0').toUpperCase())
    .join('');
}

describe('/proc/net/tcp', () => {
  it('reads a stalled replica connection: addresses, port, state, unacknowledged bytes and retransmissions', () => {
    expect(parseProcNetTcp(TCP)).toEqual([
      { local: { address: '0.0.0.0', port: 3306 }, remote: { address: '0.0.0.0', port: 0 }, state: 0x0a, unacknowledgedBytes: 0, retransmits: 0 },
      { local: { address: '198.18.0.10', port: 3306 }, remote: { address: '198.18.0.11', port: 33078 }, state: 1, unacknowledgedBytes: 80_024, retransmits: 7 },
    ]);
  });

  it('reads tcp6: an IPv4-mapped peer as IPv4, others as IPv6 groups, a TIME_WAIT line too', () => {
    const sockets = parseProcNetTcp(TCP6);
    expect(sockets.map((s) => [s.local.address, s.remote.address, s.remote.port, s.state, s.retransmits])).toEqual([
      ['198.18.0.10', '198.18.0.12', 0xc0de, 1, 0],
      ['0:0:0:0:0:0:0:1', '0:0:0:0:0:0:0:1', 0xa001, 1, 2],
      ['2001:db8:0:0:0:0:0:1', '2001:db8:0:0:0:0:0:2', 0xa002, 6, 0],
    ]);
  });

  it('skips the header, blank and malformed lines', () => {
    expect(parseProcNetTcp('garbage\n\n   7: XYZ:0CEA 0B0012C6:8136 01 00013898:00000000 01:000007D0 00000007\n')).toEqual([]);
  });

  it('decodes any IPv4 endpoint, retransmission count and queue the kernel prints', () => {
    const octets = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255));
    fc.assert(
      fc.property(octets, fc.nat(65_535), fc.nat(0xffff_ffff), fc.nat(255), (address, port, queued, retransmits) => {
        const hex = (n: number, width: number) => n.toString(16).toUpperCase().padStart(width, '0');
        const line = `  12: 0100007F:0CEA ${word(address)}:${hex(port, 4)} 01 ${hex(queued, 8)}:00000000 01:00000010 ${hex(retransmits, 8)}   999 0 1 1`;
        expect(parseProcNetTcp(line)).toEqual([
          { local: { address: '127.0.0.1', port: 3306 }, remote: { address: address.join('.'), port }, state: 1, unacknowledgedBytes: queued, retransmits },
        ]);
      }),
    );
  });
});
