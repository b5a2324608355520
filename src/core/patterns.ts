import picomatch from 'picomatch';

/** An interface name, or a glob matching interface names as they come and go. */
export interface NamePattern {
  readonly text: string;
  /** A plain name: it can be waited for, and missing means missing. */
  readonly literal: boolean;
  matches(name: string): boolean;
}

const GLOB = /[*?[\]{}]|[!+@]\(/;

export const isGlob = (text: string): boolean => GLOB.test(text);

export function namePattern(text: string): NamePattern {
  if (!isGlob(text)) return { text, literal: true, matches: (name) => name === text };
  const match = picomatch(text, { dot: true });
  return { text, literal: false, matches: (name) => match(name) };
}

/** Whether two patterns can name the same interface; for two globs, a conservative guess. */
export function overlap(a: NamePattern, b: NamePattern): boolean {
  if (a.literal) return b.matches(a.text);
  if (b.literal) return a.matches(b.text);
  return a.text === b.text || a.matches(b.text) || b.matches(a.text);
}
