// The metrics textfile: written after a change at most once a second, rewritten every
// 15 s without one (its age says whether ifdepd lives), refused in a directory others
// can write (said once), removed when closed.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../../src/logging/logger.js';
import { MetricsTextFile } from '../../../src/metrics/text-file.js';
import { fakeScheduler } from '../../support/fake-scheduler.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-metrics-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function harness() {
  const { scheduler, advanceAsync: advance } = fakeScheduler();
  let renders = 0;
  let watcher: () => void = () => undefined;
  const logs: string[] = [];
  const renderer = {
    render: () => Promise.resolve(`ifdepd_build_info{version="x"} ${++renders}\n`),
    watch: (changed: () => void) => ((watcher = changed), () => (watcher = () => undefined)),
  };
  const path = join(dir, 'ifdepd.prom');
  const file = new MetricsTextFile(path, renderer, createLogger('normal', { write: (s, t) => logs.push(`${s}: ${t}`) }), scheduler);
  return { file, path, logs, advance, change: () => watcher(), renders: () => renders };
}

describe('MetricsTextFile', () => {
  it('writes at once, then after changes at most once a second, and every 15 s without any', async () => {
    const h = harness();
    await h.advance(0);
    expect(readFileSync(h.path, 'utf8')).toBe('ifdepd_build_info{version="x"} 1\n');
    for (let i = 0; i < 50; i++) h.change();
    await h.advance(999);
    expect(h.renders()).toBe(1);
    await h.advance(1);
    expect(h.renders()).toBe(2);
    await h.advance(15_000);
    expect(h.renders()).toBe(3);
    await h.advance(15_000);
    expect(h.renders()).toBe(4);
  });

  it('says a directory others can write once, and writes nothing there', async () => {
    chmodSync(dir, 0o777);
    const h = harness();
    await h.advance(0);
    h.change();
    await h.advance(2000);
    expect(existsSync(h.path)).toBe(false);
    expect(h.logs.filter((l) => l.startsWith('warning: metrics: cannot write'))).toHaveLength(1);
  });

  it('removes the file when closed, and writes no more', async () => {
    const h = harness();
    await h.advance(0);
    expect(existsSync(h.path)).toBe(true);
    h.file.close();
    h.change();
    await h.advance(30_000);
    expect(existsSync(h.path)).toBe(false);
    expect(h.renders()).toBe(1);
  });
});
