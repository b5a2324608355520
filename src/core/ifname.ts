import { quote } from './quote.js';

/**
 * dev_valid_name() refuses '/', ':' and what the kernel's isspace() calls space, byte
 * by byte: \t \n \v \f \r, space, and 0xA0 (so also UTF-8 characters containing it).
 * NUL cannot be passed at all.
 */
const REFUSED_BYTES: ReadonlySet<number> = new Set([0x00, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x20, 0x2f, 0x3a, 0xa0]);

const describeByte = (byte: number): string =>
  byte === 0x2f || byte === 0x3a || byte === 0x20 ? JSON.stringify(String.fromCharCode(byte)) : `byte 0x${byte.toString(16).padStart(2, '0')}`;

/** Linux's IFNAMSIZ is 16 including the terminating NUL. */
const MAX_NAME_BYTES = 15;
const PLAIN = /^[\x21-\x2e\x30-\x39\x3b-\x7e]{1,15}$/;

/**
 * Why the kernel would refuse this interface name (dev_valid_name()), or undefined if
 * it is acceptable. ':' is refused too: it separates names on our command line.
 */
export function invalidIfName(name: string): string | undefined {
  // The common case, decided without encoding: printable ASCII, no '/' or ':'.
  if (PLAIN.test(name) && name !== '.' && name !== '..') return undefined;
  if (name === '') return 'empty interface name';
  if (name === '.' || name === '..') return `${quote(name)} is not a valid interface name`;
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    return `interface name ${quote(name)} is longer than ${MAX_NAME_BYTES} bytes`;
  }
  const bad = [...Buffer.from(name, 'utf8')].find((byte) => REFUSED_BYTES.has(byte));
  if (bad !== undefined) return `interface name ${quote(name)} contains ${describeByte(bad)}`;
  return undefined;
}

/** Splits a BSD-style "em0:bge0" list; throws with the reason on the first bad name. */
export function parseIfList(text: string): string[] {
  if (text === '') throw new Error('empty interface list');
  const names = text.split(':');
  const seen = new Set<string>();
  for (const name of names) {
    const problem = invalidIfName(name);
    if (problem !== undefined) throw new Error(names.length > 1 ? `${problem} in ${quote(text)}` : problem);
    if (seen.has(name)) throw new Error(`interface ${quote(name)} is listed twice`);
    seen.add(name);
  }
  return names;
}
