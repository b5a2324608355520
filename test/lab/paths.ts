// Where the lab finds what it tests: the built CLI, the fixtures, contrib/.
import { fileURLToPath } from 'node:url';

/** The daemon under test; IFDEPD_TEST_CLI points elsewhere (e.g. a deliberately broken build, to see a test fail). */
export const CLI = process.env['IFDEPD_TEST_CLI'] ?? fileURLToPath(new URL('../../dist/cli.js', import.meta.url));
export const FIXTURES = fileURLToPath(new URL('../fixtures/', import.meta.url));
export const CONTRIB = fileURLToPath(new URL('../../contrib/', import.meta.url));
