import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Pidfile } from '../../../src/daemon/pidfile.js';
import { EX_CANTCREAT, Fatal } from '../../../src/base/sysexits.js';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-pid-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('Pidfile', () => {
  it('writes our pid and removes it on release', () => {
    const path = join(dir, 'ifdepd.pid');
    const p = Pidfile.acquire(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    p.release();
    expect(existsSync(path)).toBe(false);
  });

  it('takes over a pidfile left by a dead process', () => {
    const path = join(dir, 'ifdepd.pid');
    writeFileSync(path, '999999999\n');
    Pidfile.acquire(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('is not fooled by another program that merely mentions ifdepd', () => {
    const path = join(dir, 'ifdepd.pid');
    writeFileSync(path, `${process.pid === 1 ? 2 : process.pid}\n`); // vitest itself: comm is node
    Pidfile.acquire(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('takes over a pidfile whose pid now belongs to another program', () => {
    const path = join(dir, 'ifdepd.pid');
    writeFileSync(path, '1\n'); // init is alive, but it is not ifdepd
    Pidfile.acquire(path);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
  });

  it('refuses a pidfile held by a live ifdepd, naming it', async () => {
    const path = join(dir, 'ifdepd.pid');
    // A live process that names itself ifdepd, as the daemon does.
    const holder = spawn(process.execPath, ['-e', "process.title = 'ifdepd'; setTimeout(() => {}, 30000)"], { stdio: 'ignore' });
    try {
      const deadline = Date.now() + 5000;
      while (readFileSync(`/proc/${holder.pid}/comm`, 'utf8').trim() !== 'ifdepd') {
        if (Date.now() > deadline) throw new Error('holder never named itself');
        await new Promise((r) => setTimeout(r, 10));
      }
      writeFileSync(path, `${holder.pid}\n`);
      let failure: unknown;
      try {
        Pidfile.acquire(path);
      } catch (err) {
        failure = err;
      }
      expect(failure).toBeInstanceOf(Fatal);
      expect((failure as Fatal).exitCode).toBe(EX_CANTCREAT);
      expect((failure as Fatal).message).toBe(`another ifdepd (pid ${holder.pid}) is running with pidfile ${path}`);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('reports a directory that does not exist', () => {
    expect(() => Pidfile.acquire(join(dir, 'nope', 'ifdepd.pid'))).toThrow(/cannot create pidfile .*: ENOENT/);
  });

  it('does not remove a pidfile another process has rewritten', () => {
    const path = join(dir, 'ifdepd.pid');
    const p = Pidfile.acquire(path);
    writeFileSync(path, '4242\n');
    p.release();
    expect(readFileSync(path, 'utf8')).toBe('4242\n');
  });
});
