import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';

const read = (path: string): Record<string, unknown> =>
  JSON.parse(readFileSync(new URL(`../../../${path}`, import.meta.url), 'utf8')) as Record<string, unknown>;

describe('package-lock.json', () => {
  it('lists every optional platform package of node-unix-socket, or `npm ci` refuses the lock', () => {
    // The registry these machines reach serves only the linux-x64 builds of
    // node-unix-socket, so `npm install` leaves the others out of the lock, and then
    // `npm ci` (CI, the .deb build) fails: "Missing: node-unix-socket-darwin-arm64@ from
    // lock file". The entries are kept by hand (version, optional, os, cpu): npm skips
    // them on a platform they do not match, and nothing is fetched for them.
    const packages = read('package-lock.json')['packages'] as Record<string, { optionalDependencies?: Record<string, string> }>;
    const wanted = Object.keys(packages['node_modules/node-unix-socket']?.optionalDependencies ?? {});
    expect(wanted.length).toBeGreaterThan(0);
    expect(wanted.filter((name) => packages[`node_modules/${name}`] === undefined)).toEqual([]);
  });
});
