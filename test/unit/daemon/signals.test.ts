import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { catchSignals, type SignalTargets } from '../../../src/daemon/signals.js';
import { createLogger } from '../../../src/logging/logger.js';
import { NO_SUPERVISOR, type Supervisor } from '../../../src/systemd/notify.js';
import type { DaemonStatus } from '../../../src/core/status.js';

function targets(configFile?: string) {
  const lines: string[] = [];
  const told: string[] = [];
  const exits: string[] = [];
  let reloads = 0;
  let release: () => void = () => undefined;
  const supervisor: Supervisor = { ...NO_SUPERVISOR, reloading: () => told.push('reloading'), ready: (s) => told.push(`ready ${s}`) };
  const t: SignalTargets = {
    daemon: {
      destinationSummary: () => 'vrrp0 down',
      summary: () => '1 group: uplink up',
      status: (): DaemonStatus => {
        throw new Error('not asked for here');
      },
      reload: async () => {
        reloads++;
        await new Promise<void>((resolve) => (release = resolve));
        return 'reloaded';
      },
      resync: async () => undefined,
    },
    log: createLogger('verbose', { write: (s, text) => lines.push(`${s}: ${text}`) }),
    supervisor,
    ...(configFile !== undefined ? { configFile } : {}),
    exit: () => exits.push('exit'),
  };
  return { t, lines, told, exits, reloads: () => reloads, finishReload: () => release() };
}

describe('signals', () => {
  it.each(['SIGTERM', 'SIGINT'] as const)('%s: says what is left as it is, and ends the process', (signal) => {
    const process = new EventEmitter();
    const { t, lines, exits } = targets();
    catchSignals(t, process);
    process.emit(signal);
    expect(lines).toEqual([`notice: ${signal}: exiting; destinations are left as they are (vrrp0 down)`]);
    expect(exits).toEqual(['exit']);
  });

  it('once quiet, the handlers stay and ignore: a second SIGTERM while letting go neither kills nor acts', () => {
    const process = new EventEmitter();
    const { t, lines, exits } = targets('/etc/ifdepd.conf');
    catchSignals(t, process).quiet();
    for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP', 'SIGUSR1']) {
      expect(process.listenerCount(signal), signal).toBe(1);
      process.emit(signal);
    }
    expect(lines).toEqual([]);
    expect(exits).toEqual([]);
  });

  it('a burst of SIGHUPs is one reload under way and one more after it', async () => {
    const process = new EventEmitter();
    const h = targets('/etc/ifdepd.conf');
    catchSignals(h.t, process);
    for (let i = 0; i < 5; i++) process.emit('SIGHUP');
    expect(h.reloads()).toBe(1);
    h.finishReload();
    await expect.poll(() => h.reloads()).toBe(2);
    h.finishReload();
    await expect.poll(() => h.lines.filter((l) => l.includes('re-reading all watched links')).length).toBe(2);
    expect(h.reloads()).toBe(2);
  });

  it('SIGHUP without a configuration file: systemd sees the re-read begin and end', async () => {
    const process = new EventEmitter();
    const h = targets();
    catchSignals(h.t, process);
    process.emit('SIGHUP');
    await expect.poll(() => h.told).toEqual(['reloading', 'ready 1 group: uplink up']);
    expect(h.reloads()).toBe(0);
  });
});
