// The largest configuration file ifdepd's limits allow (ifdepd.conf(5), LIMITS), around a
// group of the test's own: the most a reload can be asked to read and check. The shape is
// the bench's (suite 6), so that the test and the measurement read the same file.
import * as limits from '../../src/config/limits.js';
import { maximalConfig as shaped } from '../../bench/lib/maxconf.mjs';

/**
 * `head` (settings and the test's groups) followed by filler groups up to MAX_GROUPS,
 * MAX_NAMES names and MAX_GLOBS globs, padded with comments to just under MAX_FILE_BYTES.
 */
export const maximalConfig = (head: string, headGroups: number, headNames: number): string =>
  shaped(head, headGroups, headNames, limits);
