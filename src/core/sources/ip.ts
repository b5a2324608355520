import ipaddr from 'ipaddr.js';
import { quote } from '../quote.js';

/** `inet` (IPv4) or `inet6`, as ip(8) names the families. */
export type IpFamily = 'inet' | 'inet6';

/** One host address, in the canonical text ip(8) prints (`2001:db8::1`, `192.0.2.1`). */
export interface IpAddress {
  readonly family: IpFamily;
  readonly text: string;
}

/** A network prefix with its host bits cleared: `0.0.0.0/0`, `2001:db8::/32`. */
export interface IpPrefix {
  readonly family: IpFamily;
  readonly address: string;
  readonly length: number;
}

const familyOf = (a: ipaddr.IPv4 | ipaddr.IPv6): IpFamily => (a.kind() === 'ipv4' ? 'inet' : 'inet6');

/** Parses one address; undefined if it is none (no zone, no prefix length). */
export function parseAddress(text: string): IpAddress | undefined {
  if (text.length > 64 || !ipaddr.isValid(text) || text.includes('%') || !/^[0-9A-Fa-f:.]+$/.test(text)) return undefined;
  // ipaddr.js also accepts 0x7f.1 and other inet_aton forms: only dotted quads are IPv4 here.
  if (!text.includes(':') && !ipaddr.IPv4.isValidFourPartDecimal(text)) return undefined;
  const parsed = ipaddr.parse(text);
  return { family: familyOf(parsed), text: parsed.toString() };
}

/**
 * Parses `192.0.2.0/24`, `::/0`, a bare address (a host prefix), or `default`, which is
 * `0.0.0.0/0` as in ip-route(8) (write `::/0` for IPv6). Host bits must be clear:
 * `192.0.2.1/24` is a typo for either of two things.
 */
export function parsePrefix(text: string): IpPrefix | string {
  if (text === 'default') return { family: 'inet', address: '0.0.0.0', length: 0 };
  const [host, bits, ...rest] = text.split('/');
  const address = parseAddress(host ?? '');
  if (address === undefined || rest.length > 0) return `${quote(text)} is not an address or prefix`;
  const max = address.family === 'inet' ? 32 : 128;
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) return `${quote(text)}: the prefix length is not a number`;
  const length = bits === undefined ? max : Number(bits);
  if (length > max) return `${quote(text)}: prefix length ${length} is above ${max}`;
  const network = networkOf(address.text, length);
  if (network !== address.text) return `${quote(text)} has host bits set (the network is ${network}/${length})`;
  return { family: address.family, address: network, length };
}

/** The address with every bit past `length` cleared, canonical. */
export function networkOf(address: string, length: number): string {
  const parsed = ipaddr.parse(address);
  const bytes = parsed.toByteArray();
  for (let bit = length; bit < bytes.length * 8; bit++) bytes[bit >> 3]! &= ~(0x80 >> (bit & 7));
  return ipaddr.fromByteArray(bytes).toString();
}

/** Whether `address` lies in `prefix`. */
export function prefixContains(prefix: IpPrefix, address: IpAddress): boolean {
  return address.family === prefix.family && networkOf(address.text, prefix.length) === prefix.address;
}

/** The canonical text of raw address bytes from the kernel (4 or 16 of them); undefined otherwise. */
export function addressFromBytes(bytes: Uint8Array): IpAddress | undefined {
  if (bytes.length !== 4 && bytes.length !== 16) return undefined;
  const parsed = ipaddr.fromByteArray([...bytes]);
  return { family: familyOf(parsed), text: parsed.toString() };
}

export const describePrefix = (p: IpPrefix): string =>
  p.length === 0 ? (p.family === 'inet' ? 'default' : '::/0') : `${p.address}/${p.length}`;
