// The metrics textfile: written after a change at most once a second, rewritten every
// 15 s without one (its age says whether ifdepd lives), refused in a directory others
// can write (said once), removed when closed.
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Scheduler } from '../../../src/core/clock.js';
import { createLogger } from '../../../src/logging/logger.js';
import { MetricsTextFile } from '../../../src/metrics/text-file.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-metrics-file-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

function harness() {
  let now = 0;
  const pending: Array<{ at: number; call: () => void; live: boolean }> = [];
  const scheduler: Scheduler = {
    now: () => now,
    after(delay, call) {
      const t = { at: now + delay, call, live: true };
      pending.push(t);
      return { cancel: () => void (t.live = false) };
    },
  };
  let renders = 0;
  let watcher: () => void = () => undefined;
  const logs: string[] = [];
  const renderer = {
    render: () => Promise.resolve(`ifdepd_build_info{version="x"} ${++renders}\n`),
    watch: (changed: () => void) => ((watcher = changed), () => (watcher = () => undefined)),
  };
  const path = join(dir, 'ifdepd.prom');
  const file = new MetricsTextFile(path, renderer, createLogger('normal', { write: (s, t) => logs.push(`${s}: ${t}`) }), scheduler);
  /** Runs the timers due within `ms`, letting each write's promise settle. */
  const advance = async (ms: number) => {
    const until = now + ms;
    for (;;) {
      await new Promise((r) => setImmediate(r));
      const next = pending.filter((t) => t.live && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (next === undefined) break;
      now = next.at;
      next.live = false;
      next.call();
    }
    now = until;
    await new Promise((r) => setImmediate(r));
  };
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
