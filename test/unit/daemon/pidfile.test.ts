import { spawn } from 'node:child_process';
import { chmodSync, chownSync, existsSync, lstatSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
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

  it('takes over a symlink planted at its name, or at the old predictable temporary name, never writing through them', () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n', { mode: 0o600 });
    const path = join(dir, 'ifdepd.pid');
    symlinkSync(victim, path);
    symlinkSync(victim, `${path}.${process.pid}.tmp`);
    const p = Pidfile.acquire(path);
    expect(lstatSync(path).isFile()).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe(`${process.pid}\n`);
    expect(statSync(path).mode & 0o7777).toBe(0o644);
    p.release();
    expect(existsSync(path)).toBe(false);
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(statSync(victim).mode & 0o7777).toBe(0o600);
  });

  it('never removes what a symlink at its name leads to on release', () => {
    const path = join(dir, 'ifdepd.pid');
    const p = Pidfile.acquire(path);
    const victim = join(dir, 'victim');
    writeFileSync(victim, `${process.pid}\n`); // it even names us
    rmSync(path);
    symlinkSync(victim, path);
    p.release();
    expect(lstatSync(path).isSymbolicLink()).toBe(true);
    expect(readFileSync(victim, 'utf8')).toBe(`${process.pid}\n`);
  });

  const refused = (path: string): Fatal => {
    try {
      Pidfile.acquire(path);
    } catch (err) {
      return err as Fatal;
    }
    throw new Error('acquired');
  };

  it.each(['0777', '1777'])('refuses a directory others can write (mode %s) with exit 73, writing nothing', (mode) => {
    chmodSync(dir, Number.parseInt(mode, 8));
    const failure = refused(join(dir, 'ifdepd.pid'));
    expect(failure).toBeInstanceOf(Fatal);
    expect(failure.exitCode).toBe(EX_CANTCREAT);
    expect(failure.message).toBe(`cannot create pidfile ${join(dir, 'ifdepd.pid')}: ${dir} is writable by group or others (mode ${mode})`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it.runIf(process.geteuid?.() === 0)('refuses a directory another user owns with exit 73', () => {
    chownSync(dir, 65534, 65534);
    const failure = refused(join(dir, 'ifdepd.pid'));
    expect(failure.exitCode).toBe(EX_CANTCREAT);
    expect(failure.message).toBe(`cannot create pidfile ${join(dir, 'ifdepd.pid')}: ${dir} is owned by uid 65534, not root`);
  });
});
