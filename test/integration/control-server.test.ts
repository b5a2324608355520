import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { ControlHandler, ControlReply } from '../../src/control/api.js';
import type { DaemonStatus } from '../../src/core/status.js';
import { request } from '../../src/control/client.js';
import { MAX_REQUEST_BYTES } from '../../src/control/protocol.js';
import { ControlServer } from '../../src/control/server.js';
import type { Logger, Severity } from '../../src/logging/logger.js';
import type { Decision } from '../../src/core/types.js';

const STATUS: DaemonStatus = {
  version: '0.1.0',
  pid: 4242,
  uptimeMs: 1000,
  dryRun: false,
  groups: [],
  destinations: [],
};

/** A daemon with one group, 'uplink'. */
class FakeHandler implements ControlHandler {
  held: Decision | undefined;
  reloads = 0;
  reloadFails = false;

  status(): DaemonStatus {
    return STATUS;
  }

  hold(group: string, state: Decision): string {
    this.known(group);
    this.held = state;
    return `held ${group} ${state}`;
  }

  release(group: string): string {
    this.known(group);
    this.held = undefined;
    return `released ${group}`;
  }

  async reload(): Promise<string> {
    await new Promise((resolve) => setTimeout(resolve, 50));
    if (this.reloadFails) throw new Error('config line 3: unknown keyword');
    this.reloads++;
    return 'reloaded';
  }

  watch(): { status: DaemonStatus; at: number; stop(): void } {
    return { status: STATUS, at: 0, stop: () => undefined };
  }

  private known(group: string): void {
    if (group !== 'uplink') throw new Error(`no group '${group}'`);
  }
}

interface Logged {
  readonly severity: Severity;
  readonly text: string;
}

let dir: string;
let path: string;
let handler: FakeHandler;
let logged: Logged[];
let log: Logger;
let server: ControlServer | undefined;
const sockets: Socket[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-ctl-'));
  path = join(dir, 'run', 'ifdepd.sock');
  handler = new FakeHandler();
  logged = [];
  const at = (severity: Severity) => (text: string) => logged.push({ severity, text });
  log = { error: at('error'), warning: at('warning'), notice: at('notice'), info: at('info'), debug: at('debug'), always: at('notice') };
});
afterEach(async () => {
  for (const socket of sockets.splice(0)) socket.destroy();
  await server?.close();
  server = undefined;
  rmSync(dir, { recursive: true, force: true });
});

async function start(at = path): Promise<ControlServer> {
  server = await ControlServer.listen(at, handler, log);
  return server;
}

/** A raw client: what it sent, every reply line it got, and whether the server hung up. */
class RawClient {
  readonly replies: string[] = [];
  closed = false;
  private buffered = '';
  readonly socket: Socket;

  constructor(at: string) {
    this.socket = createConnection(at);
    sockets.push(this.socket);
    this.socket.setEncoding('utf8');
    this.socket.on('error', () => undefined); // EPIPE when the server hangs up on a flood
    this.socket.on('data', (chunk: string) => {
      const pieces = (this.buffered + chunk).split('\n');
      this.buffered = pieces.pop()!;
      this.replies.push(...pieces);
    });
    this.socket.on('close', () => {
      this.closed = true;
    });
  }

  connected(): Promise<void> {
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  send(data: string | Buffer): void {
    this.socket.write(data);
  }

  parsed(): ControlReply[] {
    return this.replies.map((line) => JSON.parse(line) as ControlReply);
  }
}

const until = <T>(check: () => T, timeout = 5000): Promise<T> => vi.waitFor(check, { timeout, interval: 10 });

async function stillServing(): Promise<void> {
  expect(await request(path, { cmd: 'status' })).toEqual({ ok: true, status: STATUS });
}

describe('ControlServer', () => {
  it('answers status through the client', async () => {
    await start();
    await stillServing();
    expect(logged).toContainEqual({ severity: 'debug', text: 'control: status' });
  });

  it('holds and releases, and refuses unknown groups', async () => {
    await start();
    expect(await request(path, { cmd: 'hold', group: 'uplink', state: 'down' })).toEqual({ ok: true, message: 'held uplink down' });
    expect(handler.held).toBe('down');
    expect(await request(path, { cmd: 'release', group: 'uplink' })).toEqual({ ok: true, message: 'released uplink' });
    expect(handler.held).toBeUndefined();
    expect(await request(path, { cmd: 'hold', group: 'dmz', state: 'up' })).toEqual({ ok: false, error: "no group 'dmz'" });
    expect(logged).toContainEqual({ severity: 'warning', text: "control: hold dmz up refused: no group 'dmz'" });
  });

  it('replies to reload when it is done, and reports its failure', async () => {
    await start();
    expect(await request(path, { cmd: 'reload' })).toEqual({ ok: true, message: 'reloaded' });
    expect(handler.reloads).toBe(1);
    handler.reloadFails = true;
    expect(await request(path, { cmd: 'reload' })).toEqual({ ok: false, error: 'config line 3: unknown keyword' });
  });

  it('answers pipelined requests in order, behind a slow reload', async () => {
    await start();
    const client = new RawClient(path);
    client.send('{"cmd":"reload"}\n{"cmd":"hold","group":"uplink","state":"up"}\n');
    await until(() => expect(client.replies).toHaveLength(2));
    expect(client.parsed()).toEqual([
      { ok: true, message: 'reloaded' },
      { ok: true, message: 'held uplink up' },
    ]);
  });

  it('creates its directory 0700 and its socket 0600', async () => {
    await start();
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o700);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(statSync(path).isSocket()).toBe(true);
  });

  it('leaves an existing directory as the administrator set it', async () => {
    mkdirSync(join(dir, 'run'), { mode: 0o755 });
    chmodSync(join(dir, 'run'), 0o755);
    await start();
    expect(statSync(join(dir, 'run')).mode & 0o777).toBe(0o755);
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it('keeps a connection usable after an invalid request', async () => {
    await start();
    const client = new RawClient(path);
    client.send('hello\n{"cmd":"reboot"}\n{"cmd":"status"}\n');
    await until(() => expect(client.replies).toHaveLength(3));
    expect(client.parsed()).toEqual([
      { ok: false, error: 'invalid JSON' },
      { ok: false, error: "unknown cmd 'reboot'" },
      { ok: true, status: STATUS },
    ]);
    expect(client.closed).toBe(false);
  });

  it('survives garbage and logs it once per connection', async () => {
    await start();
    const client = new RawClient(path);
    const garbage = Buffer.alloc(3000);
    for (let i = 0; i < garbage.length; i++) garbage[i] = (i * 7919) % 256;
    for (let i = 0; i < 20; i++) client.send(garbage);
    client.send('\n'.repeat(10) + '\x00\x01{{{\n'.repeat(200));
    await until(() => expect(client.replies.length).toBeGreaterThanOrEqual(200));
    expect(logged.filter((l) => l.severity === 'warning')).toHaveLength(1);
    await stillServing();
  });

  it('refuses a 1 MiB line without a newline and hangs up', async () => {
    await start();
    const client = new RawClient(path);
    await client.connected();
    client.send(Buffer.alloc(1024 * 1024, 'a'));
    await until(() => expect(client.closed).toBe(true));
    expect(client.parsed()).toEqual([{ ok: false, error: 'request too large' }]);
    expect(logged.filter((l) => l.severity === 'warning').map((l) => l.text)).toEqual(['control: request too large']);
    await stillServing();
  });

  it('accepts a request of exactly the maximum size', async () => {
    await start();
    const line = `{"cmd":"status"${' '.repeat(MAX_REQUEST_BYTES - 16)}}`;
    expect(Buffer.byteLength(line)).toBe(MAX_REQUEST_BYTES);
    const client = new RawClient(path);
    client.send(`${line}\n`);
    await until(() => expect(client.parsed()).toEqual([{ ok: true, status: STATUS }]));
  });

  it('survives 100 rapid connections', async () => {
    await start();
    const replies = await Promise.allSettled(Array.from({ length: 100 }, () => request(path, { cmd: 'status' })));
    const answered = replies.filter((r) => r.status === 'fulfilled').map((r) => r.value);
    for (const reply of answered) {
      expect([{ ok: true, status: STATUS }, { ok: false, error: 'too many connections' }]).toContainEqual(reply);
    }
    expect(answered.filter((r) => r.ok).length).toBeGreaterThanOrEqual(16);
    await stillServing();
  });

  it('refuses the 17th concurrent connection at once, logging it once', async () => {
    await start();
    const idle = Array.from({ length: 16 }, () => new RawClient(path));
    await Promise.all(idle.map((c) => c.connected()));
    // The server has seen them all once each one answered.
    for (const c of idle) c.send('{"cmd":"status"}\n');
    await until(() => expect(idle.every((c) => c.replies.length === 1)).toBe(true));
    const extra = [new RawClient(path), new RawClient(path)];
    await until(() => expect(extra.every((c) => c.closed)).toBe(true));
    for (const c of extra) expect(c.parsed()).toEqual([{ ok: false, error: 'too many connections' }]);
    expect(logged.filter((l) => /refusing more/.test(l.text))).toHaveLength(1);
    idle[0]!.socket.destroy();
    await until(() => expect(idle[0]!.closed).toBe(true));
    await until(async () => expect(await request(path, { cmd: 'status' })).toEqual({ ok: true, status: STATUS }));
  });

  it('answers others while a client sits silent, and drops it after 10 s', async () => {
    await start();
    const silent = new RawClient(path);
    await silent.connected();
    await stillServing();
    expect(silent.closed).toBe(false);
    const opened = Date.now();
    await until(() => expect(silent.closed).toBe(true), 15_000);
    expect(Date.now() - opened).toBeGreaterThan(8000);
    expect(silent.replies).toEqual([]);
    await stillServing();
  }, 30_000);

  it('refuses to take the socket of a live daemon', async () => {
    await start();
    await expect(ControlServer.listen(path, handler, log)).rejects.toThrow(`another ifdepd is listening on ${path}`);
    await stillServing();
  });

  it('replaces a socket left by a dead daemon', async () => {
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    // process.exit() skips the close that would unlink the socket: what a crash leaves.
    const crashed = spawnSync(process.execPath, [
      '-e',
      'require("net").createServer().listen(process.argv[1], () => process.exit(0))',
      path,
    ]);
    expect(crashed.status).toBe(0);
    expect(statSync(path).isSocket()).toBe(true);
    await start();
    await stillServing();
  });

  it('never unlinks a file that is not a socket', async () => {
    mkdirSync(join(dir, 'run'), { mode: 0o700 });
    writeFileSync(path, 'precious');
    await expect(ControlServer.listen(path, handler, log)).rejects.toThrow(`${path} exists and is not a socket`);
    expect(readFileSync(path, 'utf8')).toBe('precious');
  });

  it('removes its socket on close', async () => {
    await start();
    await server!.close();
    server = undefined;
    expect(existsSync(path)).toBe(false);
  });

  const root = process.getuid?.() === 0;
  it.skipIf(!root)('refuses a non-root client with EACCES (skipped: needs root to switch to nobody)', async () => {
    // The socket in a world-searchable directory, so only its own mode stands in the way.
    const open = mkdtempSync(join(tmpdir(), 'ifdepd-open-'));
    try {
      chmodSync(open, 0o755);
      const probe = join(open, 'probe.mjs');
      writeFileSync(
        probe,
        `import { createConnection } from 'node:net';
const s = createConnection(process.argv[2]);
s.on('connect', () => { console.log('connected'); s.destroy(); });
s.on('error', (e) => console.log(e.code));
`,
      );
      chmodSync(probe, 0o644);
      const socketPath = join(open, 'ifdepd.sock');
      await start(socketPath);
      const asNobody = (target: string) =>
        promisify(execFile)('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, probe, target]);
      expect((await asNobody(socketPath)).stdout.trim()).toBe('EACCES');
      await server!.close();
      // And the private directory alone keeps nobody out, whatever the socket's mode.
      await start();
      chmodSync(path, 0o666);
      expect((await asNobody(path)).stdout.trim()).toBe('EACCES');
      await stillServing();
    } finally {
      rmSync(open, { recursive: true, force: true });
    }
  });
});

describe('request', () => {
  it('says when nothing listens', async () => {
    await expect(request(join(dir, 'none.sock'), { cmd: 'status' })).rejects.toThrow(
      `no ifdepd is listening on ${join(dir, 'none.sock')} (is it running with a control socket?)`,
    );
  });

  it('says when a stale socket refuses', async () => {
    const stale = join(dir, 'stale.sock');
    spawnSync(process.execPath, ['-e', 'require("net").createServer().listen(process.argv[1], () => process.exit(0))', stale]);
    await expect(request(stale, { cmd: 'status' })).rejects.toThrow(`no ifdepd is listening on ${stale}`);
  });

  it('gives up on a silent daemon', async () => {
    const mute = join(dir, 'mute.sock');
    const silent = createServer((socket) => sockets.push(socket));
    await new Promise<void>((resolve) => silent.listen(mute, resolve));
    try {
      await expect(request(mute, { cmd: 'status' }, 200)).rejects.toThrow(`no reply from ifdepd on ${mute} within 0.2 s`);
    } finally {
      for (const socket of sockets.splice(0)) socket.destroy();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
