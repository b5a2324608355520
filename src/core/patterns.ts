import picomatch from 'picomatch';
import { invalidIfName } from './ifname.js';
import { quote } from './quote.js';

/** An interface name, or a glob matching interface names as they come and go. */
export interface NamePattern {
  readonly text: string;
  /** A plain name: it can be waited for, and missing means missing. */
  readonly literal: boolean;
  matches(name: string): boolean;
}

const GLOB = /[*?[\]{}]|[!+@]\(/;

export const isGlob = (text: string): boolean => GLOB.test(text);

/**
 * Far beyond any real pattern (`vrrp.*`, `eth[0-3]`, `{wan,lan}?`), and checked before
 * picomatch sees the text: its parser is quadratic in the nesting, and 20,000 nested
 * braces took it 18 s.
 */
export const MAX_PATTERN_BYTES = 128;
export const MAX_PATTERN_DEPTH = 8;

export function namePattern(text: string): NamePattern {
  if (!isGlob(text)) return { text, literal: true, matches: (name) => name === text };
  let glob = compiled.get(text);
  if (glob === undefined) {
    // A reload compiles the same globs again, on the event loop: they are kept, a bounded number.
    if (compiled.size >= MAX_COMPILED) compiled.clear();
    glob = compile(text);
    compiled.set(text, glob);
  }
  return glob;
}

/** Twice the globs a configuration may hold (MAX_GLOBS, 64): the running file's and the next one's. */
const MAX_COMPILED = 128;
const compiled = new Map<string, NamePattern>();

function compile(text: string): NamePattern {
  // What picomatch(text)(name) does, without its per-call overhead (options, formats,
  // state), which made comparing every name with every glob slow; and most names differ
  // from a pattern in its first characters, decided without a regex.
  const regex = picomatch.makeRe(text, { dot: true });
  const prefix = PLAIN_PREFIX.exec(text)![0];
  return { text, literal: false, matches: (name) => name.startsWith(prefix) && (name === text || regex.test(name)) };
}

/** Characters picomatch takes literally at the start of a pattern ('!' there negates it). */
const PLAIN_PREFIX = /^[A-Za-z0-9_.-]*/;

/** Why this interface name or glob cannot be used, or undefined if it can. */
export function invalidPattern(text: string): string | undefined {
  if (!isGlob(text)) return invalidIfName(text);
  if (Buffer.byteLength(text, 'utf8') > MAX_PATTERN_BYTES) return `pattern ${quote(text)} is longer than ${MAX_PATTERN_BYTES} bytes`;
  if (/[/\s:]/.test(text)) return `pattern ${quote(text)} contains a character no interface name has`;
  const depth = nesting(text);
  if (depth > MAX_PATTERN_DEPTH) return `pattern ${quote(text)} nests braces or parentheses ${depth} deep, more than ${MAX_PATTERN_DEPTH}`;
  try {
    picomatch.makeRe(text);
  } catch {
    return `${quote(text)} is not a valid glob pattern`;
  }
  return undefined;
}

/** The deepest nesting of {} and () (extglobs), escaped characters aside. */
function nesting(text: string): number {
  let depth = 0;
  let deepest = 0;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i];
    if (c === '\\') i += 1;
    else if (c === '{' || c === '(') deepest = Math.max(deepest, ++depth);
    else if ((c === '}' || c === ')') && depth > 0) depth -= 1;
  }
  return deepest;
}

/** Whether two patterns can name the same interface; for two globs, a conservative guess. */
export function overlap(a: NamePattern, b: NamePattern): boolean {
  if (a.literal) return b.matches(a.text);
  if (b.literal) return a.matches(b.text);
  return a.text === b.text || a.matches(b.text) || b.matches(a.text);
}
