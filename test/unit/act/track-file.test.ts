import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Confirmations } from '../../../src/act/confirmations.js';
import { createLogger } from '../../../src/logging/logger.js';
import { TrackFile } from '../../../src/act/track-file.js';
import type { EventBody } from '../../../src/core/events.js';
import { timers } from '../../../src/daemon/timers.js';

let dir: string;
let logs: string[];
const log = () => createLogger('verbose', { write: (s, t) => logs.push(`${s}: ${t}`) });
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-track-'));
  logs = [];
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

async function until(check: () => boolean): Promise<void> {
  const deadline = Date.now() + 2000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not reached; log: ${logs.join(' | ')}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

describe('keepalived track file', () => {
  it('writes 1 for down and 0 for up, creating the directory, leaving no temporary file', async () => {
    const path = join(dir, 'run', 'uplink.track');
    const t = new TrackFile(path, 'uplink', log(), false, timers);
    t.set('down');
    await until(() => logs.some((l) => l.includes('wrote 1 (down)')));
    expect(readFileSync(path, 'utf8')).toBe('1\n');
    t.set('up');
    await until(() => readFileSync(path, 'utf8') === '0\n');
    expect(readdirSync(join(dir, 'run'))).toEqual(['uplink.track']);
  });

  it('ends with the last decision when they come faster than the disk', async () => {
    const path = join(dir, 'uplink.track');
    const t = new TrackFile(path, 'uplink', log(), false, timers);
    for (let i = 0; i < 20; i++) t.set(i % 2 === 0 ? 'down' : 'up');
    t.set('down');
    await until(() => logs.filter((l) => l.includes('wrote')).length > 0 && readFileSync(path, 'utf8') === '1\n');
  });

  it('dry-run writes nothing and says what it would write', () => {
    const path = join(dir, 'uplink.track');
    new TrackFile(path, 'uplink', log(), true, timers).set('down');
    expect(readdirSync(dir)).toEqual([]);
    expect(logs).toEqual([`notice: dry-run: would write 1 (down) to ${path}`]);
  });

  it('retries a write that fails, saying why', async () => {
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const t = new TrackFile(join(blocker, 'x.track'), 'uplink', log(), false, timers);
    t.set('down');
    await until(() => logs.some((l) => l.startsWith(`error: uplink: cannot write ${blocker}/x.track: ${blocker} is not a directory`)));
    t.close();
  });

  it('emits a trackfile event for each write and each failure (ifdepd monitor)', async () => {
    const events: EventBody[] = [];
    const sink = { emit: (e: EventBody) => events.push(e) };
    const path = join(dir, 'uplink.track');
    const t = new TrackFile(path, 'uplink', log(), false, timers, sink);
    t.set('down');
    await until(() => events.length === 1);
    expect(events[0]).toEqual({ kind: 'trackfile', group: 'uplink', path, wanted: 'down', outcome: 'written' });
    const blocker = join(dir, 'not-a-directory');
    writeFileSync(blocker, '');
    const failing = new TrackFile(join(blocker, 'x.track'), 'g', log(), false, timers, sink);
    failing.set('up');
    await until(() => events.length === 2);
    expect(events[1]).toMatchObject({ kind: 'trackfile', group: 'g', wanted: 'up', outcome: 'failed' });
    expect(String((events[1] as { error?: string }).error)).toContain('not a directory');
    failing.close();
  });
});

describe('keepalived track file: where root writes', () => {
  const asRoot = process.geteuid?.() === 0;

  it('replaces symlinks planted at its name and at the old predictable temporary name, leaving their targets alone', async () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    const path = join(dir, 'uplink.track');
    symlinkSync(victim, path);
    symlinkSync(victim, `${path}.${process.pid}.tmp`);
    const t = new TrackFile(path, 'uplink', log(), false, timers);
    t.set('down');
    await until(() => logs.some((l) => l.includes('wrote 1 (down)')));
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(statSync(victim).mode & 0o7777).toBe(0o600);
    expect(lstatSync(path).isFile()).toBe(true);
    expect(lstatSync(path).mode & 0o7777).toBe(0o644);
    expect(readFileSync(path, 'utf8')).toBe('1\n');
  });

  it('refuses a directory others can write, saying why, and makes none below one', async () => {
    for (const mode of [0o777, 0o1777]) {
      logs = [];
      chmodSync(dir, mode);
      const t = new TrackFile(join(dir, 'uplink.track'), 'uplink', log(), false, timers);
      t.set('down');
      await until(() => logs.some((l) => l.includes('cannot write')));
      t.close();
      const modeText = mode.toString(8).padStart(4, '0');
      expect(logs[0]).toMatch(
        new RegExp(`^error: uplink: cannot write ${dir}/uplink.track: ${dir} is writable by group or others \\(mode ${modeText}\\); permanent error, retrying every 5000 ms$`),
      );
      const deeper = new TrackFile(join(dir, 'run', 'uplink.track'), 'uplink', log(), false, timers);
      deeper.set('down');
      await until(() => logs.some((l) => l.includes(`cannot write ${dir}/run/uplink.track: cannot create ${dir}/run`)));
      deeper.close();
      expect(readdirSync(dir)).toEqual([]);
    }
  });

  it.runIf(asRoot)('refuses a directory another user owns', async () => {
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    const t = new TrackFile(join(theirs, 'uplink.track'), 'uplink', log(), false, timers);
    t.set('down');
    await until(() => logs.some((l) => l.includes(`cannot write ${theirs}/uplink.track: ${theirs} is owned by uid 65534, not root`)));
    t.close();
    expect(readdirSync(theirs)).toEqual([]);
  });
});

describe('confirmations', () => {
  it('says once, per decision, how long the kernel took, only when something was written', () => {
    let now = 0;
    const c = new Confirmations(log(), { now: () => now });
    c.expect('uplink', 'down', ['vrrp0', 'vrrp1'], ['vrrp2']);
    c.wrote('vrrp0');
    now = 1.5;
    c.confirmed('vrrp0', 'down');
    expect(logs).toEqual([]);
    c.confirmed('vrrp1', 'up');
    expect(logs).toEqual([]);
    now = 2;
    c.confirmed('vrrp1', 'down');
    expect(logs).toEqual(['info: uplink: vrrp0,vrrp1 down, confirmed by the kernel after 2 ms (vrrp2 missing)']);
    c.expect('lan', 'up', ['vrrp0'], []);
    c.confirmed('vrrp0', 'up');
    expect(logs).toHaveLength(1);
  });

  it("counts what a decision's writes, sent before it was expected, wrote and found as wanted", () => {
    let now = 3;
    const c = new Confirmations(log(), { now: () => now });
    c.expect('uplink', 'down', ['vrrp0', 'vrrp1'], [], { at: 1, wrote: new Set(['vrrp0']), confirmed: new Set(['vrrp1']) });
    expect(logs).toEqual([]);
    c.confirmed('vrrp0', 'down');
    expect(logs).toEqual(['info: uplink: vrrp0,vrrp1 down, confirmed by the kernel after 2 ms']);
    // Every destination already as wanted: nothing was written, nothing to say.
    c.expect('lan', 'up', ['vrrp0', 'vrrp1'], [], { at: now, wrote: new Set(), confirmed: new Set(['vrrp0', 'vrrp1']) });
    now = 4;
    c.confirmed('vrrp0', 'up');
    expect(logs).toHaveLength(1);
  });
});
