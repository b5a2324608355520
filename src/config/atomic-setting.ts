import type { AtomicSpec } from '../core/spec.js';
import { ConfigSyntaxError } from './lexer.js';

const MAX_GROUP = 0xffff_ffff;

/** `atomic`, or `atomic group N` with N a kernel interface group other than 0 (the kernel's default group). */
export function parseAtomic(line: number, args: readonly string[]): AtomicSpec {
  if (args.length === 0) return {};
  const [word, number] = args;
  if (args.length === 2 && word === 'group' && /^[1-9]\d{0,9}$/.test(number!) && Number(number) <= MAX_GROUP) {
    return { group: Number(number) };
  }
  throw new ConfigSyntaxError(line, `atomic: expected 'atomic' or 'atomic group N' (N from 1 to ${MAX_GROUP}), not '${args.join(' ')}'`);
}
