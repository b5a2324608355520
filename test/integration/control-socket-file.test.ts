// Where the control socket goes: root binds it under an unpredictable name in a checked
// directory and renames it into place, so a name planted by a local user never redirects a
// bind, a chmod or an unlink (control-server.test.ts covers the stale and live sockets).
import { chmodSync, chownSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { request } from '../../src/control/client.js';
import type { ControlHandler } from '../../src/control/api.js';
import { ControlServer } from '../../src/control/server.js';
import { createLogger } from '../../src/logging/logger.js';

const asRoot = process.geteuid?.() === 0;
const log = createLogger('quiet', { write: () => undefined });
const handler = {
  status: () => ({ version: '0', pid: 1, uptimeMs: 0, dryRun: false, groups: [], destinations: [] }),
} as unknown as ControlHandler;

let dir: string;
let run: string;
let path: string;
let server: ControlServer | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-ctlfile-'));
  run = join(dir, 'run');
  path = join(run, 'ifdepd.sock');
});
afterEach(async () => {
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function stop(): Promise<void> {
  await server!.close();
  server = undefined;
}

describe('the control socket file', () => {
  it('replaces a symlink planted at its name: no bind, chmod or unlink goes through it', async () => {
    mkdirSync(run, { mode: 0o700 });
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious\n');
    chmodSync(victim, 0o644);
    symlinkSync(victim, path);
    server = await ControlServer.listen(path, handler, log);
    expect((await request(path, { cmd: 'status' })).ok).toBe(true);
    expect(lstatSync(path).isSocket()).toBe(true);
    expect(lstatSync(path).mode & 0o777).toBe(0o600);
    await stop();
    expect(readFileSync(victim, 'utf8')).toBe('precious\n');
    expect(statSync(victim).mode & 0o7777).toBe(0o644);
    expect(readdirSync(run)).toEqual([]); // nor any temporary name left behind
  });

  it('on close, leaves alone a socket that is no longer its own', async () => {
    server = await ControlServer.listen(path, handler, log);
    rmSync(path);
    const successor = createServer().listen(path);
    await new Promise((resolve) => successor.once('listening', resolve));
    try {
      await stop();
      expect(lstatSync(path).isSocket()).toBe(true);
    } finally {
      await new Promise((resolve) => successor.close(resolve));
    }
  });

  it('says when the path is too long for a socket, rather than binding a shortened name', async () => {
    const long = join(run, 'x'.repeat(100 - run.length));
    await expect(ControlServer.listen(long, handler, log)).rejects.toThrow(/^too long \(at most 89 bytes\)$/);
  });

  const spoiled: ReadonlyArray<readonly [string, (d: string) => void, RegExp]> = [
    ['writable by others', (d) => chmodSync(d, 0o777), /run is writable by group or others \(mode 0777\)$/],
    ['writable by others, sticky', (d) => chmodSync(d, 0o1777), /run is writable by group or others \(mode 1777\)$/],
    ['owned by another user', (d) => chownSync(d, 65534, 65534), /run is owned by uid 65534, not root$/],
  ];
  for (const [what, spoil, problem] of spoiled) {
    it.skipIf(!asRoot && what.startsWith('owned'))(`refuses an existing directory ${what}, creating nothing in it`, async () => {
      mkdirSync(run, { mode: 0o700 });
      spoil(run);
      await expect(ControlServer.listen(path, handler, log)).rejects.toThrow(problem);
      expect(readdirSync(run)).toEqual([]);
    });
  }

  it('creates nothing below a directory others can write', async () => {
    chmodSync(dir, 0o1777);
    await expect(ControlServer.listen(path, handler, log)).rejects.toThrow(`cannot create ${run}: ${dir} is writable by group or others (mode 1777)`);
    expect(readdirSync(dir)).toEqual([]);
  });
});
