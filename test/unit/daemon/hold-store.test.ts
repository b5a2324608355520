import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { holdFileFor, HoldStore } from '../../../src/daemon/hold-store.js';

let dir: string;
let store: HoldStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-holds-'));
  store = new HoldStore(join(dir, 'ifdepd.holds'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('holdFileFor', () => {
  it('names the file after the socket, beside it', () => {
    expect(holdFileFor('/run/ifdepd/ifdepd.sock')).toBe('/run/ifdepd/ifdepd.holds');
    expect(holdFileFor('/run/fw/control')).toBe('/run/fw/control.holds');
    expect(holdFileFor('/run/fw/odd.holds')).toBe('/run/fw/odd.holds.holds');
  });
});

describe('HoldStore', () => {
  it('has no holds before any was stored', () => {
    expect(store.load()).toEqual({ holds: new Map() });
  });

  it('reads back what it stored, root-only, and removes the file when nothing is held', () => {
    const holds = new Map([['uplink', 'down'], ['inside', 'up']] as const);
    expect(store.save(holds)).toBeUndefined();
    expect(statSync(store.path).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(store.path, 'utf8'))).toEqual({ format: 1, holds: { uplink: 'down', inside: 'up' } });
    expect(store.load()).toEqual({ holds });
    expect(store.save(new Map())).toBeUndefined();
    expect(existsSync(store.path)).toBe(false);
    expect(store.save(new Map())).toBeUndefined();
  });

  it.each<[string, string]>([
    ['not JSON', '{"format":1,"holds":{"uplink":"do'],
    ['another format', '{"format":2,"holds":{"uplink":"down"}}'],
    ['a bad state', '{"format":1,"holds":{"uplink":"down","inside":"sideways"}}'],
    ['a bad group name', '{"format":1,"holds":{"up/link":"down"}}'],
    ['an array', '{"format":1,"holds":["uplink"]}'],
    ['null', 'null'],
  ])('refuses a whole file with %s', (_what, text) => {
    writeFileSync(store.path, text);
    expect(store.load()).toEqual({ problem: 'corrupt: not a hold file of this version' });
  });

  it('does not follow a symlink, nor read what is not a file', () => {
    writeFileSync(join(dir, 'elsewhere'), '{"format":1,"holds":{"uplink":"down"}}');
    symlinkSync(join(dir, 'elsewhere'), store.path);
    expect(store.load()).toMatchObject({ problem: expect.stringMatching(/^unreadable: .*ELOOP/) as string });
    rmSync(store.path);
    mkdirSync(store.path);
    expect(store.load()).toEqual({ problem: 'unreadable: not a regular file' });
  });

  it('neither reads nor writes in a directory others can write', () => {
    const open = join(dir, 'open');
    mkdirSync(open);
    const there = new HoldStore(join(open, 'x.holds'));
    writeFileSync(there.path, '{"format":1,"holds":{"uplink":"down"}}');
    chmodSync(open, 0o777);
    const problem = `${open} is writable by group or others (mode 0777)`;
    expect(there.load()).toEqual({ problem: `not read, its directory is not safe: ${problem}` });
    expect(there.save(new Map([['uplink', 'up']]))).toBe(`its directory is not safe: ${problem}`);
    expect(readFileSync(there.path, 'utf8')).toContain('"down"');
  });
});
