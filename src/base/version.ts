import { createRequire } from 'node:module';

/** The version in package.json, so that --version and the package can never disagree. */
export const VERSION: string = (createRequire(import.meta.url)('../../package.json') as { version: string }).version;
