import { readFileSync } from 'node:fs';

/** capability.h: needed to change an interface's flags. */
export const CAP_NET_ADMIN = 12;

/** Whether the effective capability set holds `cap`, read from /proc/self/status. */
export function hasCapability(cap: number, status: string = readFileSync('/proc/self/status', 'utf8')): boolean {
  const match = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  if (match === null) return false;
  return ((BigInt(`0x${match[1]}`) >> BigInt(cap)) & 1n) === 1n;
}
