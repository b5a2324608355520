// The largest configuration file ifdepd's limits allow (ifdepd.conf(5), LIMITS), around a
// group of the test's own: the most a reload can be asked to read and check.
import { MAX_FILE_BYTES, MAX_GLOBS, MAX_GROUPS, MAX_NAMES } from '../../src/config/limits.js';

/**
 * `head` (settings and the test's groups) followed by filler groups up to MAX_GROUPS,
 * MAX_NAMES names and MAX_GLOBS globs, padded with comments to just under MAX_FILE_BYTES.
 * The fillers name interfaces that do not exist (f<group>x<n>), chained so that the cycle
 * check follows them all; the globs start with '*', the costliest kind to compare.
 */
export function maximalConfig(head: string, headGroups: number, headNames: number): string {
  const fillers = MAX_GROUPS - headGroups;
  let budget = MAX_NAMES - headNames;
  const groups: string[] = [];
  for (let i = 0; i < fillers; i += 1) {
    const glob = i < MAX_GLOBS ? ` "*y${i}"` : '';
    const perList = Math.floor(budget / (fillers - i) / 2);
    const sources = Array.from({ length: perList - (glob ? 1 : 0) }, (_, j) => `f${i}x${j}`).join(' ') + glob;
    const destinations = Array.from({ length: perList }, (_, j) => `f${i + 1}x${j}`).join(' ');
    budget -= 2 * perList;
    groups.push(`group filler${i} {\n    sources ${sources}\n    destinations ${destinations}\n    down-delay 0\n}\n`);
  }
  const text = `${head}${groups.join('')}`;
  const comment = `# ${'-'.repeat(1000)}\n`;
  const room = MAX_FILE_BYTES - Buffer.byteLength(text) - 1;
  return `${text}${comment.repeat(Math.floor(room / comment.length))}`;
}
