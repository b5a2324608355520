import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../src/config/load.js';
import { EX_DATAERR, Fatal } from '../../../src/base/sysexits.js';

let dir: string;
let file: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-hook-trust-'));
  file = join(dir, 'ifdepd.conf');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function program(name: string, mode = 0o755): string {
  const path = join(dir, name);
  writeFileSync(path, '#!/bin/sh\n');
  chmodSync(path, mode);
  return path;
}

/** A group whose hooks are on lines 5, 6, ... of the file. */
function configWith(...hooks: string[]): string {
  writeFileSync(file, `startup-hold 0\ngroup g {\n    sources a\n    destinations b\n${hooks.map((h) => `    hook ${h} --arg\n`).join('')}}\n`);
  return file;
}

function refusal(path: string): string {
  try {
    loadConfig(path);
  } catch (err) {
    expect(err).toBeInstanceOf(Fatal);
    expect((err as Fatal).exitCode).toBe(EX_DATAERR);
    return (err as Fatal).message;
  }
  throw new Error('accepted');
}

describe('hooks in the configuration file', () => {
  it('accepts a program only root can change, in directories only root can change', () => {
    const ok = program('ok.sh');
    expect(loadConfig(configWith(ok, '/bin/sh')).groups[0]!.hooks).toEqual([
      { path: ok, args: ['--arg'], timeoutMs: 10_000 },
      { path: '/bin/sh', args: ['--arg'], timeoutMs: 10_000 },
    ]);
  });

  it.each<[string, () => string, RegExp]>([
    ['missing', () => join(dir, 'missing.sh'), /hook refused: \S+missing\.sh does not exist$/],
    ['a directory', () => dir, /hook refused: \S+ is not a regular file$/],
    ['not executable', () => program('plain.sh', 0o644), /hook refused: \S+plain\.sh is not executable \(mode 0644\)$/],
    ['world-writable', () => program('open.sh', 0o757), /hook refused: \S+open\.sh is writable by group or others \(mode 0757\)$/],
    ['group-writable', () => program('team.sh', 0o775), /hook refused: \S+team\.sh is writable by group or others \(mode 0775\)$/],
    [
      'owned by another user',
      () => {
        const path = program('theirs.sh');
        chownSync(path, 65534, 65534);
        return path;
      },
      /hook refused: \S+theirs\.sh is owned by uid 65534, not root$/,
    ],
    [
      'in a directory others can write',
      () => {
        const open = join(dir, 'open');
        mkdirSync(open);
        chmodSync(open, 0o777);
        writeFileSync(join(open, 'x.sh'), '#!/bin/sh\n', { mode: 0o755 });
        return join(open, 'x.sh');
      },
      /hook refused: \S+\/open is writable by group or others \(mode 0777\)$/,
    ],
  ])('refuses a hook %s, on its own line', (_what, make, problem) => {
    const message = refusal(configWith('/bin/sh', make()));
    expect(message.startsWith(`${file}:6: group g: `), message).toBe(true);
    expect(message).toMatch(problem);
  });
});
