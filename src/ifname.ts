/** Linux's IFNAMSIZ is 16 including the terminating NUL. */
const MAX_NAME_BYTES = 15;

/**
 * Why the kernel would refuse this interface name (dev_valid_name()), or undefined if
 * it is acceptable. ':' is refused too: it separates names on our command line.
 */
export function invalidIfName(name: string): string | undefined {
  if (name === '') return 'empty interface name';
  if (name === '.' || name === '..') return `'${name}' is not a valid interface name`;
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) {
    return `interface name '${name}' is longer than ${MAX_NAME_BYTES} bytes`;
  }
  const bad = /[/:\s\0]/.exec(name);
  if (bad !== null) return `interface name '${name}' contains ${JSON.stringify(bad[0])}`;
  return undefined;
}

/** Splits a BSD-style "em0:bge0" list; throws with the reason on the first bad name. */
export function parseIfList(text: string): string[] {
  if (text === '') throw new Error('empty interface list');
  const names = text.split(':');
  const seen = new Set<string>();
  for (const name of names) {
    const problem = invalidIfName(name);
    if (problem !== undefined) throw new Error(names.length > 1 ? `${problem} in '${text}'` : problem);
    if (seen.has(name)) throw new Error(`interface '${name}' is listed twice`);
    seen.add(name);
  }
  return names;
}
