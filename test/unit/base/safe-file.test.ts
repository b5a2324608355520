import { existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createFile, replaceFile } from '../../../src/base/safe-file.js';

let dir: string;
let victim: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-safe-'));
  victim = join(dir, 'victim');
  writeFileSync(victim, 'precious\n', { mode: 0o600 });
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('replaceFile', () => {
  it('writes the content with exactly the mode asked, whatever the umask', () => {
    const saved = process.umask(0o077);
    try {
      replaceFile(join(dir, 'track'), '1\n', { mode: 0o644 });
    } finally {
      process.umask(saved);
    }
    expect(readFileSync(join(dir, 'track'), 'utf8')).toBe('1\n');
    expect(statSync(join(dir, 'track')).mode & 0o777).toBe(0o644);
  });

  it('replaces a planted symlink instead of writing through it', () => {
    symlinkSync(victim, join(dir, 'track'));
    replaceFile(join(dir, 'track'), '0\n', { mode: 0o644, durable: true });
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(lstatSync(join(dir, 'track')).isFile()).toBe(true);
    expect(readFileSync(join(dir, 'track'), 'utf8')).toBe('0\n');
  });

  it('leaves no temporary file behind, after success or failure', () => {
    replaceFile(join(dir, 'track'), '0\n', { mode: 0o644 });
    expect(() => replaceFile(join(dir, 'missing', 'track'), '0\n', { mode: 0o644 })).toThrow(/ENOENT/);
    expect(readdirSync(dir).sort()).toEqual(['track', 'victim']);
  });
});

describe('createFile', () => {
  it('creates a new file with its content in one step', () => {
    expect(createFile(join(dir, 'pid'), '42\n', { mode: 0o644 })).toBe(true);
    expect(readFileSync(join(dir, 'pid'), 'utf8')).toBe('42\n');
    expect(readdirSync(dir).sort()).toEqual(['pid', 'victim']);
  });

  it('refuses a name that exists, planted symlinks included, and leaves their targets alone', () => {
    symlinkSync(victim, join(dir, 'pid'));
    expect(createFile(join(dir, 'pid'), '42\n', { mode: 0o644 })).toBe(false);
    symlinkSync(join(dir, 'nowhere'), join(dir, 'dangling'));
    expect(createFile(join(dir, 'dangling'), '42\n', { mode: 0o644 })).toBe(false);
    expect(existsSync(join(dir, 'nowhere'))).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
  });
});
