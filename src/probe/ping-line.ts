/**
 * One line of `ping -n -D -O` (iputils) as the probe needs it. Only what bears on the
 * verdict is read: a reply's sequence number and round trip, the "no answer yet" line
 * (printed just before the next request is sent), the header (the tool is set up and
 * sends its first request next). Anything else (ICMP errors, statistics, warnings) is
 * `undefined`: an ICMP error is no answer, and its probe is judged missed by the clock.
 */
export type PingLine =
  | {
      readonly kind: 'reply';
      /** The tool's wall-clock time of receipt (-D), epoch ms. */
      readonly at: number;
      /** icmp_seq, 16 bits: it wraps after 65535. */
      readonly seq: number;
      readonly rttMs: number;
      /** DUP!: a second reply to a request already answered; BAD CHECKSUM: a damaged one. */
      readonly counts: boolean;
    }
  | { readonly kind: 'no-answer'; readonly at: number; readonly seq: number }
  | { readonly kind: 'header' };

// `[1795993678.763303] 64 bytes from 192.0.2.1: icmp_seq=1 ttl=64 time=0.039 ms (DUP!)`;
// the source may be an IPv6 address with a zone (fe80::1%eth0), hence the lazy match.
const REPLY = /^\[(\d{1,12}\.\d{1,9})\] \d+ bytes from \S+: icmp_seq=(\d{1,5})(?: [a-z]+=\S+)*? time=(\d{1,9}(?:\.\d{1,6})?) ms(.*)$/;
// `[1795993678.763303] no answer yet for icmp_seq=2`
const NO_ANSWER = /^\[(\d{1,12}\.\d{1,9})\] no answer yet for icmp_seq=(\d{1,5})$/;
// `PING 192.0.2.1 (192.0.2.1) 56(84) bytes of data.`, `PING ::1(::1) 56 data bytes`
const HEADER = /^PING \S+ ?\(/;

export function parsePingLine(line: string): PingLine | undefined {
  const reply = REPLY.exec(line);
  if (reply !== null) {
    const seq = Number(reply[2]);
    if (seq > 0xffff) return undefined;
    const flags = reply[4] ?? '';
    const counts = !flags.includes('(DUP!)') && !flags.includes('(BAD CHECKSUM!)');
    return { kind: 'reply', at: epochMs(reply[1]!), seq, rttMs: Number(reply[3]), counts };
  }
  const none = NO_ANSWER.exec(line);
  if (none !== null) {
    const seq = Number(none[2]);
    return seq > 0xffff ? undefined : { kind: 'no-answer', at: epochMs(none[1]!), seq };
  }
  return HEADER.test(line) ? { kind: 'header' } : undefined;
}

const epochMs = (seconds: string): number => Number(seconds) * 1000;
