import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { HoldFile, readHolds, writeHolds } from '../../../src/daemon/hold-file.js';
import { createLogger, type Severity } from '../../../src/logging/logger.js';

let dir: string;
let path: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-holds-'));
  path = join(dir, 'ifdepd.holds');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('readHolds and writeHolds', () => {
  it('has no holds before any was stored', () => {
    expect(readHolds(path)).toEqual({ holds: new Map() });
  });

  it('reads back what it stored, root-only, and removes the file when nothing is held', () => {
    const holds = new Map([['uplink', 'down'], ['inside', 'up']] as const);
    expect(writeHolds(path, holds)).toBeUndefined();
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(path, 'utf8'))).toEqual({ format: 1, holds: { uplink: 'down', inside: 'up' } });
    expect(readHolds(path)).toEqual({ holds });
    expect(writeHolds(path, new Map())).toBeUndefined();
    expect(existsSync(path)).toBe(false);
    expect(writeHolds(path, new Map())).toBeUndefined();
  });

  it.each<[string, string]>([
    ['not JSON', '{"format":1,"holds":{"uplink":"do'],
    ['another format', '{"format":2,"holds":{"uplink":"down"}}'],
    ['a bad state', '{"format":1,"holds":{"uplink":"down","inside":"sideways"}}'],
    ['a bad group name', '{"format":1,"holds":{"up/link":"down"}}'],
    ['an array', '{"format":1,"holds":["uplink"]}'],
    ['null', 'null'],
  ])('refuses a whole file with %s', (_what, text) => {
    writeFileSync(path, text);
    expect(readHolds(path)).toEqual({ problem: 'corrupt: not a hold file of this version' });
  });

  it('does not follow a symlink, nor read what is not a file', () => {
    writeFileSync(join(dir, 'elsewhere'), '{"format":1,"holds":{"uplink":"down"}}');
    symlinkSync(join(dir, 'elsewhere'), path);
    expect(readHolds(path)).toMatchObject({ problem: expect.stringMatching(/^unreadable: .*ELOOP/) as string });
    rmSync(path);
    mkdirSync(path);
    expect(readHolds(path)).toEqual({ problem: 'unreadable: not a regular file' });
  });

  it('neither reads nor writes in a directory others can write', () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    const there = join(open, 'x.holds');
    writeFileSync(there, '{"format":1,"holds":{"uplink":"down"}}');
    chmodSync(open, 0o777);
    const problem = `${open} is writable by group or others (mode 0777)`;
    expect(readHolds(there)).toEqual({ problem: `not read, its directory is not safe: ${problem}` });
    expect(writeHolds(there, new Map([['uplink', 'up']]))).toBe(`its directory is not safe: ${problem}`);
    expect(readFileSync(there, 'utf8')).toContain('"down"');
  });
});

describe('HoldFile', () => {
  let lines: Array<[Severity, string]>;
  const holdFile = (at: string | undefined) => new HoldFile(at, createLogger('normal', { write: (severity, text) => void lines.push([severity, text]) }));
  beforeEach(() => {
    lines = [];
  });

  it('returns the stored holds, saying which are restored and which dropped (no such group)', () => {
    writeHolds(path, new Map([['uplink', 'down'], ['gone', 'up']] as const));
    expect(holdFile(path).restore(new Set(['uplink']))).toEqual(new Map([['uplink', 'down'], ['gone', 'up']]));
    expect(lines).toEqual([
      ['notice', `uplink: hold down restored from ${path}; 'ifdepd release uplink' ends it`],
      ['notice', 'gone: stored hold up dropped: no such group in the configuration'],
    ]);
  });

  it('starts without holds from a corrupt file, and says so', () => {
    writeFileSync(path, 'null');
    expect(holdFile(path).restore(new Set(['uplink']))).toEqual(new Map());
    expect(lines).toEqual([['warning', `hold file ${path}: corrupt: not a hold file of this version; starting without operator holds`]]);
  });

  it("stores the holds, and tells the operator's answer when it could not", () => {
    const file = holdFile(path);
    expect(file.save(new Map([['uplink', 'down']]))).toBeUndefined();
    expect(readHolds(path)).toEqual({ holds: new Map([['uplink', 'down']]) });
    chmodSync(dir, 0o777);
    const problem = `its directory is not safe: ${dir} is writable by group or others (mode 0777)`;
    expect(file.save(new Map())).toBe(problem);
    expect(lines).toEqual([['warning', `hold file ${path}: not written, holds will not survive a restart: ${problem}`]]);
  });

  it('without a control socket, neither restores nor stores anything', () => {
    const file = holdFile(undefined);
    expect(file.restore(new Set(['uplink']))).toEqual(new Map());
    expect(file.save(new Map([['uplink', 'down']]))).toBeUndefined();
    expect(lines).toEqual([]);
  });
});
