import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { bindDatagram } from '../../../src/base/unix-datagram.js';
import type { Logger } from '../../../src/logging/logger.js';
import { NO_SUPERVISOR, systemdSupervisor, watchdogInterval } from '../../../src/systemd/notify.js';

function recordingLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const add = (t: string) => lines.push(t);
  return { lines, error: add, warning: add, notice: add, info: add, debug: add, always: add };
}

async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('watchdogInterval', () => {
  it('is half of WATCHDOG_USEC in ms, only for our pid or no pid', () => {
    expect(watchdogInterval({ WATCHDOG_USEC: '10000000' }, 42)).toBe(5000);
    expect(watchdogInterval({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '42' }, 42)).toBe(5000);
    expect(watchdogInterval({ WATCHDOG_USEC: '10000000', WATCHDOG_PID: '43' }, 42)).toBeUndefined();
    expect(watchdogInterval({}, 42)).toBeUndefined();
    expect(watchdogInterval({ WATCHDOG_USEC: 'x' }, 42)).toBeUndefined();
  });
});

describe('systemdSupervisor', () => {
  it('does nothing without NOTIFY_SOCKET', () => {
    expect(systemdSupervisor(recordingLog(), {})).toBe(NO_SUPERVISOR);
  });

  it.each([['a path', false], ['an abstract name (@)', true]])('speaks the notify protocol to %s', async (_, abstract) => {
    const dir = mkdtempSync(join(tmpdir(), 'ifdepd-notify-'));
    const path = abstract ? `@ifdepd-test-${process.pid}-${Date.now()}` : join(dir, 'notify.sock');
    const got: string[] = [];
    const socket = bindDatagram(path, (t) => got.push(t));
    const env: Record<string, string | undefined> = { NOTIFY_SOCKET: path, WATCHDOG_USEC: '40000', WATCHDOG_PID: String(process.pid) };
    const log = recordingLog();
    try {
      const s = systemdSupervisor(log, env);
      expect(env).toEqual({}); // not inherited by hooks
      await until(() => got.filter((m) => m === 'WATCHDOG=1').length >= 2, 'two keep-alives');
      s.ready('1 group: uplink up');
      s.status(() => '1 group: uplink up'); // unchanged: not sent
      s.status(() => '1 group: uplink DOWN');
      s.reloading();
      await s.stopping();
      const sent = got.filter((m) => m !== 'WATCHDOG=1');
      await until(() => got.filter((m) => m !== 'WATCHDOG=1').length >= 4, 'four messages');
      sent.splice(0, sent.length, ...got.filter((m) => m !== 'WATCHDOG=1'));
      expect(sent[0]).toBe('READY=1\nSTATUS=1 group: uplink up');
      expect(sent[1]).toBe('STATUS=1 group: uplink DOWN');
      expect(sent[2]).toMatch(/^RELOADING=1\nMONOTONIC_USEC=\d+$/);
      expect(sent[3]).toBe('STOPPING=1');
      expect(sent).toHaveLength(4);
      expect(log.lines).toEqual([]);
    } finally {
      socket.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('logs a failure once and carries on', async () => {
    const log = recordingLog();
    const s = systemdSupervisor(log, { NOTIFY_SOCKET: '/nonexistent/notify.sock' });
    s.ready('x');
    s.status(() => 'y');
    await s.stopping();
    expect(log.lines).toHaveLength(1);
    expect(log.lines[0]).toMatch(/cannot notify systemd through \/nonexistent\/notify.sock: .*said once/);
  });
});
