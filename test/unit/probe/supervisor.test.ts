// The supervision of ping children, with a stand-in tool (fake-ping.mjs, run by node
// through the `wrap` option): restarts with backoff, what is reported and logged, respec, close.
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { INITIAL_PING, observePing, type PingObservation, type PingState } from '../../../src/core/sources/ping-state.js';
import { parseAddress } from '../../../src/core/sources/ip.js';
import { PING_DEFAULTS, type PingSource } from '../../../src/core/sources/spec.js';
import type { Logger } from '../../../src/logging/logger.js';
import { Pings } from '../../../src/probe/pings.js';
import { waitFor } from '../../lab/wait.js';

const nop = (): void => undefined;
const FAKE = join(import.meta.dirname, 'fake-ping.mjs');
const spec: PingSource = { kind: 'ping', target: parseAddress('192.0.2.1')!, ...PING_DEFAULTS, interval: 100, timeout: 100 };

function harness(mode: 'fail' | 'answer') {
  const lines: string[] = [];
  const at = (level: string) => (text: string) => void lines.push(`${level}: ${text}`);
  const log: Logger = { error: at('error'), warning: at('warning'), notice: at('notice'), info: at('info'), debug: at('debug'), always: at('always') };
  const seen: PingObservation[] = [];
  let state: PingState = INITIAL_PING;
  const pings = new Pings({
    tool: '/usr/bin/ping',
    log,
    wrap: [process.execPath, FAKE, mode],
    report: (name, s, o) => {
      expect(name).toBe('p');
      seen.push(o);
      state = observePing(state, o, s);
    },
  });
  opened.push(pings);
  return { pings, lines, seen, state: () => state };
}

const opened: Pings[] = [];
afterEach(() => {
  for (const p of opened.splice(0)) p.close();
});

describe('Pings (supervision)', () => {
  it('restarts a failing tool with a doubling delay, logs its stderr, and fails closed', async () => {
    const h = harness('fail');
    h.pings.reconcile(new Map([['p', spec]]));
    await waitFor('three restarts', () => h.lines.filter((l) => l.startsWith('warning:')).length >= 3, { timeout: 5000 });
    expect(h.lines.filter((l) => l.startsWith('warning:')).slice(0, 3)).toEqual(
      [100, 200, 400].map((ms) => `warning: p: probe exited (status 2): ping: SO_BINDTODEVICE nosuch0: No such device; restarting in ${ms} ms`),
    );
    expect(h.seen.some((o) => o.kind === 'running')).toBe(false);
    expect(h.state().stopped).toBe('exited (status 2): ping: SO_BINDTODEVICE nosuch0: No such device');
    // No answer ever, and the misses go on while it is down.
    await waitFor('unhealthy', () => h.state().verdict === false, { timeout: 5000 });
  });

  it('a tool that cannot be executed is restarted the same way, and says why', async () => {
    const lines: string[] = [];
    const log = { error: nop, warning: (t: string) => void lines.push(t), notice: nop, info: nop, debug: nop, always: nop };
    const pings = new Pings({ tool: '/nonexistent/ping', log, report: nop });
    opened.push(pings);
    pings.reconcile(new Map([['p', spec]]));
    await waitFor('a restart', () => lines.length > 0, { timeout: 5000 });
    expect(lines[0]).toBe('p: probe cannot be started: spawn /nonexistent/ping ENOENT; restarting in 100 ms');
  });

  it('a running tool: running, then answers; a changed spec gets a new child and no stop', async () => {
    const h = harness('answer');
    h.pings.reconcile(new Map([['p', spec]]));
    await waitFor('healthy', () => h.state().verdict === true, { timeout: 5000 });
    // The stand-in is a node process: under load it may print its header after the first
    // timeout, so a miss may come first; what must hold is that it runs before it answers.
    const running = h.seen.findIndex((o) => o.kind === 'running');
    expect(running).toBeGreaterThanOrEqual(0);
    expect(h.seen.findIndex((o) => o.kind === 'answer')).toBeGreaterThan(running);
    const pid = h.pings.pid('p');
    h.pings.reconcile(new Map([['p', spec]])); // unchanged: kept
    expect(h.pings.pid('p')).toBe(pid);
    h.pings.reconcile(new Map([['p', { ...spec, down: 5 }]]));
    expect(h.pings.pid('p')).not.toBe(pid);
    const answers = h.seen.filter((o) => o.kind === 'answer').length;
    await waitFor('answers from the new child', () => h.seen.filter((o) => o.kind === 'answer').length > answers + 2, { timeout: 5000 });
    expect(h.seen.filter((o) => o.kind === 'stopped')).toEqual([]);
    expect(h.lines.filter((l) => !l.startsWith('debug:'))).toEqual([]);
  });

  it('close() and an empty reconcile stop the children; nothing is reported after', async () => {
    const h = harness('answer');
    h.pings.reconcile(new Map([['p', spec]]));
    await waitFor('running', () => h.seen.length > 0, { timeout: 5000 });
    h.pings.reconcile(new Map());
    expect(h.pings.pid('p')).toBeUndefined();
    const count = h.seen.length;
    await new Promise((r) => setTimeout(r, 400));
    expect(h.seen.length).toBe(count);
    h.pings.close();
    h.pings.reconcile(new Map([['p', spec]])); // closed: ignored
    expect(h.pings.pid('p')).toBeUndefined();
  });
});
