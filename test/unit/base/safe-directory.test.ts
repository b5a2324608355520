import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTrustedDirectory, untrustedPlace } from '../../../src/base/safe-directory.js';

const asRoot = process.geteuid?.() === 0;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-dir-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('untrustedPlace', () => {
  it('judges an existing directory as untrustedDirectory does', () => {
    expect(untrustedPlace(dir)).toBeUndefined();
    chmodSync(dir, 0o777);
    expect(untrustedPlace(dir)).toBe(`${dir} is writable by group or others (mode 0777)`);
  });

  it('judges a missing one by the nearest directory that exists, where it would be made', () => {
    expect(untrustedPlace(join(dir, 'a', 'b'))).toBeUndefined();
    chmodSync(dir, 0o1777);
    expect(untrustedPlace(join(dir, 'a', 'b'))).toBe(`cannot create ${join(dir, 'a', 'b')}: ${dir} is writable by group or others (mode 1777)`);
    expect(existsSync(join(dir, 'a'))).toBe(false);
  });
});

describe('makeTrustedDirectory', () => {
  it('makes every missing level with the mode asked, whatever the umask', () => {
    const saved = process.umask(0o077);
    try {
      expect(makeTrustedDirectory(join(dir, 'a', 'b'), 0o755)).toBeUndefined();
    } finally {
      process.umask(saved);
    }
    expect(statSync(join(dir, 'a')).mode & 0o7777).toBe(0o755);
    expect(statSync(join(dir, 'a', 'b')).mode & 0o7777).toBe(0o755);
  });

  it('makes nothing below a directory others can write, sticky or not', () => {
    for (const mode of [0o777, 0o1777]) {
      chmodSync(dir, mode);
      expect(makeTrustedDirectory(join(dir, 'a'), 0o700)).toMatch(/^cannot create .*\/a: .* is writable by group or others/);
      expect(existsSync(join(dir, 'a'))).toBe(false);
    }
  });

  it('refuses an existing directory that fails the checks, and a dangling symlink on the way', () => {
    mkdirSync(join(dir, 'open'));
    chmodSync(join(dir, 'open'), 0o777);
    expect(makeTrustedDirectory(join(dir, 'open'), 0o755)).toBe(`${join(dir, 'open')} is writable by group or others (mode 0777)`);
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(makeTrustedDirectory(join(dir, 'dangling', 'x'), 0o755)).toMatch(/^cannot create .*dangling\/x: cannot resolve .*dangling: ENOENT$/);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
  });

  it.runIf(asRoot)('refuses a directory another user owns', () => {
    mkdirSync(join(dir, 'theirs'), { mode: 0o755 });
    chownSync(join(dir, 'theirs'), 65534, 65534);
    expect(makeTrustedDirectory(join(dir, 'theirs', 'x'), 0o755)).toBe(
      `cannot create ${join(dir, 'theirs', 'x')}: ${join(dir, 'theirs')} is owned by uid 65534, not root`,
    );
  });
});
