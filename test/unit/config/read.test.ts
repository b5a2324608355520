import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readConfigFile } from '../../../src/config/read.js';
import { MAX_FILE_BYTES } from '../../../src/config/limits.js';
import { EX_DATAERR, EX_NOINPUT, Fatal } from '../../../src/base/sysexits.js';

const dir = mkdtempSync(join(tmpdir(), 'ifdepd-read-test-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

function refusal(path: string): Fatal {
  try {
    readConfigFile(path);
  } catch (err) {
    expect(err).toBeInstanceOf(Fatal);
    expect((err as Fatal).message).not.toContain('\n');
    return err as Fatal;
  }
  throw new Error(`read ${path}`);
}

describe('readConfigFile: only a regular file, bounded, UTF-8', () => {
  it('reads a regular file', () => {
    expect(readConfigFile(file('ok.conf', 'group g {\n}\n'))).toBe('group g {\n}\n');
  });

  it('refuses a FIFO at once, without waiting for a writer', () => {
    const fifo = join(dir, 'fifo');
    execFileSync('mkfifo', [fifo]);
    const err = refusal(fifo);
    expect(err.exitCode).toBe(EX_NOINPUT);
    expect(err.message).toBe(`${fifo}: not a regular file (a FIFO); give the configuration file itself`);
  });

  it.each<[string, string]>([
    ['/dev/zero', 'a character device'],
    ['/dev/null', 'a character device'],
    ['/', 'a directory'],
  ])('refuses %s: %s', (path, kind) => {
    const err = refusal(path);
    expect(err.exitCode).toBe(EX_NOINPUT);
    expect(err.message).toContain(`not a regular file (${kind})`);
  });

  it('refuses a missing file with 66', () => {
    const err = refusal(join(dir, 'missing.conf'));
    expect(err.exitCode).toBe(EX_NOINPUT);
    expect(err.message).toMatch(/^cannot read .*missing\.conf: ENOENT$/);
  });

  it('takes a file of exactly the limit and refuses one byte more, at the line where it is crossed', () => {
    const line = `#${'x'.repeat(1022)}\n`;
    const exact = line.repeat(MAX_FILE_BYTES / 1024);
    expect(readConfigFile(file('exact.conf', exact))).toHaveLength(MAX_FILE_BYTES);
    const err = refusal(file('big.conf', `${exact}#`));
    expect(err.exitCode).toBe(EX_DATAERR);
    expect(err.message).toBe(`${join(dir, 'big.conf')}:${MAX_FILE_BYTES / 1024 + 1}: the file is larger than 1 MiB, the limit`);
  });

  it.each<[string, Buffer, number, string]>([
    ['a lone 0xff', Buffer.from('# ok\ngroup g {\n sources em\xff0\n', 'latin1'), 3, 'ff'],
    ['a truncated sequence at a line end', Buffer.concat([Buffer.from('#\n#\n# caf'), Buffer.from([0xc3]), Buffer.from('\n')]), 3, 'c3'],
    ['an overlong encoding', Buffer.concat([Buffer.from('a'), Buffer.from([0xc0, 0xaf])]), 1, 'c0'],
    ['after a valid U+FFFD', Buffer.concat([Buffer.from('\n\ufffd ok '), Buffer.from([0xfe])]), 2, 'fe'],
  ])('refuses invalid UTF-8 (%s) with its line and byte', (label, bytes, line, hex) => {
    const path = file(`${label.replace(/\W/g, '_')}.conf`, bytes);
    const err = refusal(path);
    expect(err.exitCode).toBe(EX_DATAERR);
    expect(err.message).toBe(`${path}:${line}: invalid UTF-8 (byte \\x${hex}): the file must be UTF-8 text`);
  });
});
