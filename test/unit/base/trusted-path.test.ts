import { chmodSync, chownSync, lchownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { untrustedDirectory, untrustedProgram } from '../../../src/base/trusted-path.js';

const asRoot = process.geteuid?.() === 0;
let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-trust-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('untrustedDirectory', () => {
  it('trusts a private directory under the sticky /tmp', () => {
    expect(untrustedDirectory(dir)).toBeUndefined();
  });

  it('refuses a directory others can write, sticky or not', () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    chmodSync(open, 0o1777);
    expect(untrustedDirectory(open)).toBe(`${open} is writable by group or others (mode 1777)`);
    chmodSync(open, 0o775);
    expect(untrustedDirectory(open)).toMatch(/writable by group or others \(mode 0775\)/);
  });

  it('refuses a directory below one that others can write without the sticky bit', () => {
    const open = join(dir, 'open');
    mkdirSync(join(open, 'inner'), { recursive: true });
    chmodSync(open, 0o777);
    expect(untrustedDirectory(join(open, 'inner'))).toBe(`${open} is writable by group or others (mode 0777)`);
  });

  it.runIf(asRoot)('refuses a directory owned by another user', () => {
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    expect(untrustedDirectory(theirs)).toBe(`${theirs} is owned by uid 65534, not root`);
  });

  it('checks where a symlink leads, and says which path led there', () => {
    const open = join(dir, 'open');
    mkdirSync(open, { mode: 0o777 });
    chmodSync(open, 0o777);
    symlinkSync(open, join(dir, 'link'));
    expect(untrustedDirectory(join(dir, 'link'))).toBe(`${open} is writable by group or others (mode 0777) (on the way to ${join(dir, 'link')})`);
  });

  it.runIf(asRoot)('refuses a symlink another user owns, even in a sticky directory, wherever it leads', () => {
    const sticky = join(dir, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    const trusted = join(dir, 'trusted');
    mkdirSync(trusted, { mode: 0o755 });
    const link = join(sticky, 'planted');
    symlinkSync(trusted, link);
    lchownSync(link, 65534, 65534);
    expect(untrustedDirectory(link)).toBe(`${link} is a symlink owned by uid 65534, not root`);
    expect(untrustedDirectory(join(link, '.'))).toMatch(/planted is a symlink owned by uid 65534/);
    lchownSync(link, 0, 0);
    expect(untrustedDirectory(link)).toBeUndefined();
  });

  it('follows relative symlinks, chains of them and .., checking where the walk ends as the file\'s own', () => {
    const sticky = join(dir, 'sticky');
    mkdirSync(join(dir, 'a', 'b'), { recursive: true });
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    symlinkSync('a/b', join(dir, 'rel'));
    symlinkSync(join(dir, 'rel'), join(dir, 'chain'));
    expect(untrustedDirectory(join(dir, 'chain'))).toBeUndefined();
    expect(untrustedDirectory(join(dir, 'chain', '..'))).toBeUndefined();
    symlinkSync('sticky', join(dir, 'to-sticky'));
    expect(untrustedDirectory(join(dir, 'to-sticky'))).toBe(`${sticky} is writable by group or others (mode 1777) (on the way to ${join(dir, 'to-sticky')})`);
    expect(untrustedDirectory(join(sticky, '..', 'a'))).toBeUndefined();
    symlinkSync('loop', join(dir, 'loop'));
    expect(untrustedDirectory(join(dir, 'loop'))).toBe(`cannot resolve ${join(dir, 'loop')}: ELOOP`);
  });

  it('says what is missing, not a directory, or relative', () => {
    expect(untrustedDirectory(join(dir, 'none'))).toBe(`cannot resolve ${join(dir, 'none')}: ENOENT`);
    writeFileSync(join(dir, 'file'), '');
    expect(untrustedDirectory(join(dir, 'file'))).toBe(`${join(dir, 'file')} is not a directory`);
    expect(untrustedDirectory('run/x')).toBe('run/x is not an absolute path');
  });
});

describe('untrustedProgram', () => {
  const program = (mode: number): string => {
    const path = join(dir, 'hook');
    writeFileSync(path, '#!/bin/sh\n');
    chmodSync(path, mode);
    return path;
  };

  it('trusts an executable owned by root and writable only by it', () => {
    expect(untrustedProgram(program(0o755))).toBeUndefined();
  });

  it('refuses a program others can write, or that cannot be run', () => {
    expect(untrustedProgram(program(0o757))).toMatch(/hook is writable by group or others \(mode 0757\)$/);
    expect(untrustedProgram(program(0o644))).toMatch(/hook is not executable \(mode 0644\)$/);
  });

  it('refuses a missing program and a directory', () => {
    expect(untrustedProgram(join(dir, 'none'))).toBe(`${join(dir, 'none')} does not exist`);
    expect(untrustedProgram(dir)).toBe(`${dir} is not a regular file`);
  });

  it('refuses a good program in a directory others can write', () => {
    const path = program(0o755);
    chmodSync(dir, 0o777);
    expect(untrustedProgram(path)).toBe(`${dir} is writable by group or others (mode 0777)`);
  });

  it.runIf(asRoot)('refuses a program owned by another user', () => {
    const path = program(0o755);
    chownSync(path, 65534, 65534);
    expect(untrustedProgram(path)).toBe(`${path} is owned by uid 65534, not root`);
  });
});
