import { describe, expect, it } from 'vitest';
import { parsePingLine } from '../../../src/probe/ping-line.js';

describe('parsePingLine', () => {
  it('reads an IPv4 reply: time stamp, sequence, round trip', () => {
    const line = parsePingLine('[1795993678.763303] 64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=0.039 ms');
    expect(line).toMatchObject({ kind: 'reply', seq: 1, rttMs: 0.039, counts: true });
    expect(line?.kind === 'reply' && line.at).toBeCloseTo(1795993678763.303, 2);
  });

  it('reads IPv6 replies, a link-local source with its zone among them', () => {
    expect(parsePingLine('[1795993681.295477] 64 bytes from 2001:db8::1: icmp_seq=65535 ttl=64 time=12.5 ms')).toMatchObject({ kind: 'reply', seq: 65535, rttMs: 12.5, counts: true });
    expect(parsePingLine('[1795993681.295477] 64 bytes from fe80::1%veth0: icmp_seq=7 ttl=64 time=1043 ms')).toMatchObject({ kind: 'reply', seq: 7, rttMs: 1043 });
  });

  it('marks duplicates and damaged replies as not counting', () => {
    expect(parsePingLine('[1795993678.763303] 64 bytes from 192.0.2.1: icmp_seq=3 ttl=64 time=0.05 ms (DUP!)')).toMatchObject({ seq: 3, counts: false });
    expect(parsePingLine('[1795993678.763303] 64 bytes from 192.0.2.1: icmp_seq=3 ttl=64 time=0.05 ms (BAD CHECKSUM!)')).toMatchObject({ counts: false });
  });

  it('reads the "no answer yet" line of -O', () => {
    const line = parsePingLine('[1795993679.265437] no answer yet for icmp_seq=2');
    expect(line).toMatchObject({ kind: 'no-answer', seq: 2 });
    expect(line?.kind === 'no-answer' && line.at).toBeCloseTo(1795993679265.437, 2);
  });

  it('knows the header of either family', () => {
    expect(parsePingLine('PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.')).toEqual({ kind: 'header' });
    expect(parsePingLine('PING 192.0.2.1 (192.0.2.1) from 10.0.0.1 eth0: 56(84) bytes of data.')).toEqual({ kind: 'header' });
    expect(parsePingLine('PING ::1(::1) 56 data bytes')).toEqual({ kind: 'header' });
  });

  it('ignores ICMP errors, statistics, garbage, and numbers out of range', () => {
    for (const line of [
      '[1795993679.265437] From 10.0.0.1 icmp_seq=4 Destination Host Unreachable',
      '--- 192.0.2.1 ping statistics ---',
      '5 packets transmitted, 5 received, 0% packet loss, time 4005ms',
      'rtt min/avg/max/mdev = 0.039/0.052/0.061/0.007 ms',
      '',
      'garbage',
      '64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=0.039 ms', // no -D stamp
      '[1795993678.763303] 64 bytes from 192.0.2.1: icmp_seq=65536 ttl=64 time=0.039 ms',
      '[1795993678.763303] 64 bytes from 192.0.2.1: icmp_seq=1 ttl=64',
      '[1795993679.265437] no answer yet for icmp_seq=99999',
      '[x] no answer yet for icmp_seq=2',
    ]) {
      expect(parsePingLine(line), line).toBeUndefined();
    }
  });
});
