import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Wanted } from '../../../src/core/wanted.js';
import { CONFIRM_TIMEOUT_MS, Enforcer } from '../../../src/act/enforcer.js';
import type { InterfaceAction } from '../../../src/act/interface-action.js';
import { retryDelay } from '../../../src/act/retry.js';
import { timers } from '../../../src/daemon/timers.js';
import type { LinkTable } from '../../../src/core/link-table.js';
import { createLogger, type Severity } from '../../../src/logging/logger.js';
import type { Decision, IfIndex } from '../../../src/core/types.js';
import { kernelError } from '../../support/errors.js';
import { link, table } from '../../support/links.js';
import { ADMIN } from '../../support/actions.js';

interface Harness {
  enforcer: Enforcer;
  links: LinkTable;
  writes: Array<[number, boolean]>;
  logs: string[];
  verified: IfIndex[];
  writer: { fail?: Error };
  /** What the groups decide; the harness plays the daemon. */
  decide(decision: Decision, because: string): void;
}

const NAMES = ['vrrp0', 'vrrp1'];

function harness(dryRun = false, ...initial: ReturnType<typeof link>[]): Harness {
  const links = table(...initial);
  const writes: Array<[number, boolean]> = [];
  const logs: string[] = [];
  const verified: IfIndex[] = [];
  const writer: Harness['writer'] = {};
  let current: Wanted | undefined;
  const action: InterfaceAction = {
    ...ADMIN,
    write(name, decision) {
      writes.push([links.byName(name)?.index ?? -1, decision === 'up']);
      return writer.fail ? Promise.reject(writer.fail) : Promise.resolve();
    },
  };
  const log = createLogger('verbose', { write: (s: Severity, text: string) => logs.push(`${s}: ${text}`) });
  const enforcer = new Enforcer({
    action,
    links,
    wanted: (name) => (NAMES.includes(name) ? current : undefined),
    verify: async (index) => {
      verified.push(index);
      // The daemon would read the link into the table; the harness leaves it as it is.
    },
    log,
    scheduler: timers,
    dryRun,
  });
  const decide = (decision: Decision, because: string) => {
    current = { decision, because, downBecause: decision === 'down' ? ['uplink'] : [], named: true };
    enforcer.renew(NAMES);
  };
  return { enforcer, links, writes, logs, verified, writer, decide };
}

/** What the kernel would notify after a successful write. */
function kernelApplies(h: Harness, index: number, name: string, up: boolean): void {
  h.links.upsert(link(index, name, { adminUp: up, lowerUp: up, operState: up ? 'up' : 'down' }));
  h.enforcer.reconcile(name);
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('Enforcer', () => {
  it('moves every destination at once and logs the kernel confirmation', async () => {
    const h = harness(false, link(5, 'vrrp0'), link(6, 'vrrp1'));
    h.decide('down', 'em0 lost carrier');
    expect(h.writes).toEqual([
      [5, false],
      [6, false],
    ]);
    await vi.advanceTimersByTimeAsync(2);
    kernelApplies(h, 5, 'vrrp0', false);
    kernelApplies(h, 6, 'vrrp1', false);
    await vi.advanceTimersByTimeAsync(CONFIRM_TIMEOUT_MS * 2);
    expect(h.verified).toEqual([]);
    expect(h.writes).toHaveLength(2);
  });

  it('does nothing to a destination already in the wanted state', () => {
    const h = harness(false, link(5, 'vrrp0', { adminUp: false }), link(6, 'vrrp1', { adminUp: false }));
    h.decide('down', 'em0 lost carrier');
    expect(h.writes).toEqual([]);
  });

  it('retries a transiently failed write with doubling backoff and says why', async () => {
    const h = harness(false, link(5, 'vrrp0'));
    h.writer.fail = kernelError('set down', 'ENOBUFS');
    h.decide('down', 'em0 lost carrier');
    await vi.advanceTimersByTimeAsync(0);
    expect(h.logs.at(-1)).toBe('warning: vrrp0: cannot set it down (set down: ENOBUFS); retrying in 100 ms');
    await vi.advanceTimersByTimeAsync(100);
    expect(h.writes).toHaveLength(2);
    await vi.advanceTimersByTimeAsync(199);
    expect(h.writes).toHaveLength(2);
    h.writer.fail = undefined;
    await vi.advanceTimersByTimeAsync(1);
    expect(h.writes).toHaveLength(3);
    kernelApplies(h, 5, 'vrrp0', false);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.writes).toHaveLength(3);
  });

  it('says a lasting failure at once, then as an error every 5 minutes with its count, and when it finally worked', async () => {
    const h = harness(false, link(5, 'vrrp0'));
    h.writer.fail = kernelError('set down', 'ETIMEDOUT');
    h.decide('down', 'em0 lost carrier');
    await vi.advanceTimersByTimeAsync(11 * 60_000);
    const said = h.logs.filter((l) => /^(warning|error): vrrp0:/.test(l));
    expect(said[0]).toBe('warning: vrrp0: cannot set it down (set down: ETIMEDOUT); retrying in 100 ms');
    // Backoff 100 ms .. 5 s: 7 attempts in the first 6.3 s, then one every 5 s; reminders from 300 s on.
    expect(said.slice(1)).toEqual([
      'error: vrrp0: still cannot set it down (set down: ETIMEDOUT) after 66 attempts; retrying in 5000 ms',
      'error: vrrp0: still cannot set it down (set down: ETIMEDOUT) after 126 attempts; retrying in 5000 ms',
    ]);
    expect(h.logs.filter((l) => l.includes('forcing it'))).toEqual([]);
    h.writer.fail = undefined;
    await vi.advanceTimersByTimeAsync(5000);
    expect(h.logs.filter((l) => /^notice: vrrp0: set down after \d+ attempts$/.test(l))).toHaveLength(1);
  });

  it('does not retry a destination deleted while its request was in flight', async () => {
    const h = harness(false, link(5, 'vrrp0'));
    h.writer.fail = new Error('set down: ENODEV');
    h.decide('down', 'em0 lost carrier');
    h.links.remove(5 as IfIndex);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.writes).toHaveLength(1);
    expect(h.logs.filter((l) => l.startsWith('warning:'))).toEqual([]);
  });

  it('re-reads an unconfirmed destination before trusting the table when the decision flips back', async () => {
    // The kernel does not notify every change (protodown on an admin-down device):
    // the table may still show the state from before the write.
    const h = harness(false, link(5, 'vrrp0'));
    h.decide('down', 'em0 lost carrier');
    await vi.advanceTimersByTimeAsync(0); // ACKed, confirmation pending
    h.decide('up', 'all sources have carrier');
    expect(h.verified).toEqual([5]);
    await vi.advanceTimersByTimeAsync(0);
    // The re-read shows the write took effect after all: it is undone.
    h.links.upsert(link(5, 'vrrp0', { adminUp: false }));
    h.enforcer.reconcile('vrrp0');
    expect(h.writes).toEqual([
      [5, false],
      [5, true],
    ]);
  });

  it('logs a destination first seen after start', () => {
    const h = harness(false, link(5, 'vrrp0', { adminUp: false }));
    h.decide('down', 'em0 lost carrier');
    h.enforcer.reconcileAll(NAMES);
    h.links.upsert(link(9, 'vrrp1'));
    h.enforcer.reconcile('vrrp1');
    expect(h.logs).toContain('notice: vrrp1 appeared (ifindex 9) admin up -> forcing it down (em0 lost carrier)');
  });

  it('says a decision\'s writes at -v only: the decision\'s own line names them', async () => {
    const h = harness(false, link(5, 'vrrp0'), link(6, 'vrrp1'));
    h.decide('up', 'all sources have carrier');
    h.enforcer.reconcileAll(NAMES);
    h.logs.length = 0;
    h.decide('down', 'em0 lost carrier');
    expect(h.writes).toHaveLength(2);
    expect(h.logs.filter((l) => !l.startsWith('debug:'))).toEqual([]);
    expect(h.logs).toEqual(['debug: setting vrrp0 down (it is admin up)', 'debug: setting vrrp1 down (it is admin up)']);
  });

  it('waits for a decision\'s confirmations on one timer, and re-reads only the one not confirmed', async () => {
    const h = harness(false, link(5, 'vrrp0'), link(6, 'vrrp1'));
    h.decide('down', 'em0 lost carrier');
    await vi.advanceTimersByTimeAsync(0); // both ACKed
    expect(vi.getTimerCount()).toBe(1);
    kernelApplies(h, 5, 'vrrp0', false);
    await vi.advanceTimersByTimeAsync(CONFIRM_TIMEOUT_MS);
    expect(h.verified).toEqual([6]);
    kernelApplies(h, 6, 'vrrp1', false);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('caps the backoff at 5 s', () => {
    expect([1, 2, 3, 6, 7, 20].map((n) => retryDelay(n))).toEqual([100, 200, 400, 3200, 5000, 5000]);
  });

  it('forces back a destination someone else flips, saying so', async () => {
    const h = harness(false, link(5, 'vrrp0', { adminUp: false }));
    h.decide('down', 'em0 lost carrier');
    kernelApplies(h, 5, 'vrrp0', true);
    expect(h.writes).toEqual([[5, false]]);
    expect(h.logs).toContain('notice: vrrp0 was set up by someone else -> forcing it down (em0 lost carrier)');
  });

  it('brings a destination that appears later in line, saying so', async () => {
    const h = harness(false);
    h.decide('down', 'em0 lost carrier');
    expect(h.logs).toContain('info: destination vrrp0 does not exist (yet); waiting for it');
    kernelApplies(h, 12, 'vrrp0', true);
    expect(h.writes).toEqual([[12, false]]);
    expect(h.logs).toContain('notice: vrrp0 appeared (ifindex 12) admin up -> forcing it down (em0 lost carrier)');
  });

  it('re-reads a destination whose confirmation is overdue', async () => {
    const h = harness(false, link(5, 'vrrp0'));
    h.decide('down', 'em0 lost carrier');
    await vi.advanceTimersByTimeAsync(CONFIRM_TIMEOUT_MS - 1);
    expect(h.verified).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(h.verified).toEqual([5]);
    // Still up after the re-read: the write is sent again.
    h.enforcer.reconcile('vrrp0');
    expect(h.writes).toEqual([
      [5, false],
      [5, false],
    ]);
  });

  it('a new decision while a write is in flight is applied once the first settles', async () => {
    const h = harness(false, link(5, 'vrrp0'));
    h.decide('down', 'em0 lost carrier');
    h.decide('up', 'all sources have carrier');
    await vi.advanceTimersByTimeAsync(0);
    // The down was ACKed but the decision is up again and the link is up: nothing more to send.
    expect(h.writes).toEqual([[5, false]]);
    kernelApplies(h, 5, 'vrrp0', false);
    expect(h.writes).toEqual([
      [5, false],
      [5, true],
    ]);
  });

  it('dry-run writes nothing and says what it would do, once', async () => {
    const h = harness(true, link(5, 'vrrp0'), link(6, 'vrrp1'));
    h.decide('down', 'em0 lost carrier');
    h.enforcer.reconcileAll(NAMES);
    await vi.advanceTimersByTimeAsync(10_000);
    expect(h.writes).toEqual([]);
    expect(h.logs.filter((l) => l.includes('dry-run'))).toEqual([
      'notice: dry-run: would set vrrp0 down',
      'notice: dry-run: would set vrrp1 down',
    ]);
  });

  it('leaves a destination no group claims any more as it is, saying so', () => {
    const h = harness(false, link(5, 'vrrp0'), link(9, 'other'));
    h.decide('down', 'em0 lost carrier');
    h.enforcer.reconcile('other');
    expect(h.writes).toEqual([[5, false]]);
    expect(h.logs.some((l) => l.includes('other'))).toBe(false);
  });

  it('forgets a destination that disappears and logs it', () => {
    const h = harness(false, link(5, 'vrrp0', { adminUp: false }));
    h.decide('down', 'em0 lost carrier');
    h.links.remove(5 as IfIndex);
    h.enforcer.reconcile('vrrp0');
    expect(h.logs).toContain('info: vrrp0 disappeared; it will be set down when it comes back');
  });

  it('stops acting once closed', async () => {
    const h = harness(false, link(5, 'vrrp0'));
    h.writer.fail = new Error('set down: ETIMEDOUT');
    h.decide('down', 'em0 lost carrier');
    await vi.advanceTimersByTimeAsync(0);
    h.enforcer.close();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(h.writes).toHaveLength(1);
  });
});
