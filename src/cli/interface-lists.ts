import { MAX_NAMES_PER_LIST } from '../config/limits.js';
import { invalidPattern, isGlob } from '../core/patterns.js';
import { hasUnprintable, quote } from '../core/quote.js';

/**
 * -S and -D: colon-separated lists, checked as the configuration file checks its names.
 * -S takes plain names only: a source pattern on the command line is more likely a shell
 * glob gone wrong than a wish, and the file is where patterns are written and checked.
 * -D takes patterns, as ifdepd(8) documents.
 */
export const parseSourceList = (text: string): string[] => parseList(text, false);
export const parseDestinationList = (text: string): string[] => parseList(text, true);

function parseList(text: string, patterns: boolean): string[] {
  if (text === '') throw new Error('empty interface list');
  const names = text.split(':');
  if (names.length > MAX_NAMES_PER_LIST) throw new Error(`${names.length} names, more than ${MAX_NAMES_PER_LIST}`);
  const seen = new Set<string>();
  for (const name of names) {
    const problem = invalidName(name, patterns);
    if (problem !== undefined) throw new Error(names.length > 1 ? `${problem} in ${quote(text)}` : problem);
    if (seen.has(name)) throw new Error(`interface ${quote(name)} is listed twice`);
    seen.add(name);
  }
  return names;
}

function invalidName(name: string, patterns: boolean): string | undefined {
  if (!patterns && isGlob(name)) return `${quote(name)} has glob characters: -S takes interface names, patterns belong in a configuration file (-f)`;
  const problem = invalidPattern(name);
  if (problem !== undefined) return problem;
  // The kernel takes them; a log line or a status table quoting one would not be readable.
  if (hasUnprintable(name)) return `interface name ${quote(name)} contains a control character or invalid UTF-8`;
  return undefined;
}
