// The monitor stream at the control socket, with a stand-in daemon (its real event bus):
// not cut by the idle timeout, freed when its client goes or half-closes, counted
// against the 16 connections, and a refusal before the stream is one reply line.
import { mkdtempSync, rmSync } from 'node:fs';
import { EventEmitter } from 'node:events';
import { createConnection, createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ControlHandler } from '../../src/control/api.js';
import { request } from '../../src/control/client.js';
import { monitor as monitorClient, RefusedError, type MonitorTarget } from '../../src/control/monitor-client.js';
import { ControlServer } from '../../src/control/server.js';
import type { DaemonStatus } from '../../src/core/status.js';
import { EventBus } from '../../src/daemon/event-bus.js';
import { createLogger } from '../../src/logging/logger.js';
import { sleep, waitFor } from '../lab/wait.js';

const STATUS: DaemonStatus = { version: '0.1.0', pid: 1, uptimeMs: 0, dryRun: false, groups: [], destinations: [] };

let dir: string;
let path: string;
let bus: EventBus;
let server: ControlServer;
const sockets: Socket[] = [];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ifdepd-mon-'));
  path = join(dir, 'run', 'ctl.sock');
  bus = new EventBus({ now: () => performance.now() });
  const handler: ControlHandler = {
    status: () => STATUS,
    hold: () => 'held',
    release: () => 'released',
    reload: () => Promise.resolve('reloaded'),
    watch: (listener) => ({ status: STATUS, at: performance.now(), stop: bus.subscribe(listener) }),
  };
  server = await ControlServer.listen(path, handler, createLogger('quiet', { write: () => undefined }));
});
afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  await server.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A raw monitor client: everything it received, as lines. */
function monitor(json = true): { socket: Socket; lines: () => string[] } {
  const socket = createConnection(path);
  sockets.push(socket);
  let text = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => (text += chunk));
  socket.on('error', () => undefined);
  socket.on('connect', () => socket.write(`${JSON.stringify({ cmd: 'monitor', json })}\n`));
  return { socket, lines: () => text.split('\n').slice(0, -1) };
}

const streaming = (m: { lines: () => string[] }) => waitFor('the reply and the snapshot', () => m.lines().length >= 2);

describe('the monitor stream at the control socket', () => {
  it('replies, sends the snapshot, then the events as JSON Lines', async () => {
    const m = monitor();
    await streaming(m);
    expect(JSON.parse(m.lines()[0]!)).toEqual({ ok: true, monitor: 1 });
    expect(JSON.parse(m.lines()[1]!)).toMatchObject({ v: 1, seq: 0, kind: 'snapshot', status: STATUS });
    bus.emit({ kind: 'hold', group: 'uplink', decision: 'down' });
    await waitFor('the event', () => m.lines().length === 3);
    expect(JSON.parse(m.lines()[2]!)).toMatchObject({ v: 1, seq: 1, kind: 'hold', group: 'uplink', decision: 'down' });
  });

  it('is not dropped by the 10 s idle timeout of the other commands', async () => {
    const m = monitor();
    await streaming(m);
    await sleep(11_000); // the time itself is what is tested
    expect(m.socket.destroyed).toBe(false);
    bus.emit({ kind: 'log', severity: 'notice', text: 'still here' });
    await waitFor('an event after 11 s of silence', () => m.lines().some((l) => l.includes('still here')));
  }, 20_000);

  it('a client that goes away, or shuts down its side, is unsubscribed at once', async () => {
    const gone = monitor();
    const half = monitor();
    await streaming(gone);
    await streaming(half);
    expect(bus.subscribers).toBe(2);
    gone.socket.destroy();
    await waitFor('the closed client to be unsubscribed', () => bus.subscribers === 1);
    half.socket.end();
    await waitFor('the half-closed client to be unsubscribed', () => bus.subscribers === 0);
  });

  it('each monitor is one of the 16 connections: the 17th client is told the daemon is busy', async () => {
    const monitors = Array.from({ length: 16 }, () => monitor());
    for (const m of monitors) await streaming(m);
    await expect(request(path, { cmd: 'status' })).rejects.toThrow(/busy: too many connections/);
    monitors[0]!.socket.destroy();
    await waitFor('a connection to be free again', async () => (await request(path, { cmd: 'status' }).catch(() => undefined))?.ok === true);
  });

  it('without json: the status text, then only the log lines', async () => {
    const m = monitor(false);
    await waitFor('the status block', () => m.lines().some((l) => l.startsWith('dry-run:')));
    bus.emit({ kind: 'hold', group: 'uplink', decision: 'down' });
    bus.emit({ kind: 'log', severity: 'warning', text: 'something' });
    await waitFor('the log line', () => m.lines().some((l) => / warning: something$/.test(l)));
    expect(m.lines().some((l) => l.includes('hold'))).toBe(false);
  });
});

/** stdout as the client sees it: what it was given, byte for byte. */
class Collected extends EventEmitter implements MonitorTarget {
  text = '';
  write(chunk: Buffer): boolean {
    this.text += chunk.toString('utf8');
    return true;
  }
}

describe('the monitor client', () => {
  it('copies the stream after the reply, and ends "stopped" when aborted', async () => {
    const out = new Collected();
    const stop = new AbortController();
    const ended = monitorClient(path, true, out, stop.signal);
    await waitFor('the snapshot', () => out.text.includes('"kind":"snapshot"'));
    bus.emit({ kind: 'release', group: 'uplink', decision: 'up', reason: 'all sources have carrier' });
    await waitFor('the event', () => out.text.includes('"kind":"release"'));
    expect(out.text.split('\n').slice(0, -1).map((l) => (JSON.parse(l) as { kind: string }).kind)).toEqual(['snapshot', 'release']);
    stop.abort();
    expect(await ended).toBe('stopped');
    await waitFor('the daemon side to be unsubscribed', () => bus.subscribers === 0);
  });

  it('ends "daemon" when the daemon hangs up, and "stopped" at once when already aborted', async () => {
    const ended = monitorClient(path, false, new Collected(), new AbortController().signal);
    await waitFor('the subscription', () => bus.subscribers === 1);
    await server.close();
    expect(await ended).toBe('daemon');
    const stop = new AbortController();
    stop.abort();
    expect(await monitorClient(path, false, new Collected(), stop.signal)).toBe('stopped');
  });

  it('a daemon that refuses (one without monitor) is a RefusedError with its words', async () => {
    const old = join(dir, 'old.sock');
    const fake = createServer((s) => s.once('data', () => s.end('{"ok":false,"error":"unknown cmd \'monitor\'"}\n')));
    await new Promise<void>((resolve) => fake.listen(old, resolve));
    try {
      const refused = monitorClient(old, true, new Collected(), new AbortController().signal);
      await expect(refused).rejects.toBeInstanceOf(RefusedError);
      await expect(refused).rejects.toThrow("unknown cmd 'monitor'");
    } finally {
      fake.close();
    }
  });
});
