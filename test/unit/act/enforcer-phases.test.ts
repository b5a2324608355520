// The Enforcer as it runs the destination state machine: one destination driven into each
// phase, then given each input, as one table (phase x input -> phase after, writes sent,
// re-reads started). destination-phase.test.ts checks step() alone; this checks what the
// enforcer does with it: the writes, timers and re-reads of each transition.
import { describe, expect, it } from 'vitest';
import { CONFIRM_TIMEOUT_MS, Enforcer } from '../../../src/act/enforcer.js';
import type { PhaseKind } from '../../../src/act/destination-phase.js';
import type { InterfaceAction } from '../../../src/act/interface-action.js';
import type { Decision, IfIndex } from '../../../src/core/types.js';
import type { Wanted } from '../../../src/core/wanted.js';
import { createLogger } from '../../../src/logging/logger.js';
import { kernelError } from '../../support/errors.js';
import { fakeScheduler } from '../../support/fake-scheduler.js';
import { link, table } from '../../support/links.js';
import { ADMIN } from '../../support/actions.js';

interface Pending {
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
}

async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

/** One named destination, vrrp0 (ifindex 5), wanted down; writes and re-reads complete only when told. */
function world() {
  const clock = fakeScheduler();
  const links = table(link(5, 'vrrp0'));
  const writes: Pending[] = [];
  const reads: Array<() => void> = [];
  let sent = 0;
  let reread = 0;
  let wanted: Wanted = { decision: 'down', because: 'em0 lost carrier', downBecause: ['uplink'], named: true };
  const action: InterfaceAction = {
    ...ADMIN,
    write: () => {
      sent += 1;
      return new Promise<void>((resolve, reject) => writes.push({ resolve, reject }));
    },
  };
  const enforcer = new Enforcer({
    action,
    links,
    wanted: (name) => (name === 'vrrp0' ? wanted : undefined),
    verify: () => {
      reread += 1;
      return new Promise<void>((resolve) => reads.push(resolve));
    },
    log: createLogger('verbose', { write: () => undefined }),
    scheduler: clock.scheduler,
    dryRun: false,
  });
  const shown = (adminUp: boolean, index = 5) => {
    const old = links.byName('vrrp0');
    if (old !== undefined && old.index !== index) links.remove(old.index);
    links.upsert(link(index, 'vrrp0', { adminUp }));
    enforcer.reconcile('vrrp0');
  };
  const phase = (): PhaseKind | 'other' => {
    const [s] = enforcer.statuses();
    switch (s?.activity) {
      case 'request in flight':
        return 'writing';
      case 'awaiting kernel confirmation':
        return 'acknowledged';
      case 're-reading it from the kernel':
        return 'verifying';
      case undefined:
        return s?.state === 'missing' ? 'missing' : 'idle';
      default:
        return /^retrying after \d+ failure\(s\)$/.test(s?.activity ?? '') ? 'retrying' : 'other';
    }
  };
  return {
    clock,
    links,
    enforcer,
    writes,
    reads,
    shown,
    phase,
    counts: () => ({ sent, reread }),
    decide(decision: Decision) {
      wanted = { ...wanted, decision, downBecause: decision === 'down' ? ['uplink'] : [] };
      enforcer.renew(['vrrp0']);
    },
  };
}
type World = ReturnType<typeof world>;

/** Into each phase, from vrrp0 up and wanted down. */
const INTO: Record<PhaseKind, (w: World) => Promise<void>> = {
  idle: async (w) => w.shown(false),
  missing: async (w) => {
    w.links.remove(5 as IfIndex);
    w.enforcer.reconcile('vrrp0');
  },
  writing: async (w) => w.enforcer.reconcile('vrrp0'),
  acknowledged: async (w) => {
    w.enforcer.reconcile('vrrp0');
    w.writes.shift()?.resolve();
    await flush();
  },
  verifying: async (w) => {
    await INTO.acknowledged(w);
    w.clock.advance(CONFIRM_TIMEOUT_MS);
    await flush();
  },
  retrying: async (w) => {
    w.enforcer.reconcile('vrrp0');
    w.writes.shift()?.reject(kernelError('set down', 'ENOBUFS'));
    await flush();
  },
};

/** Each input; the re-read a verifying destination waits for leaves the table as it was. */
const INPUTS = {
  'kernel: as wanted': async (w: World) => w.shown(false),
  'kernel: not as wanted': async (w: World) => w.shown(true),
  'wanted changes (up)': async (w: World) => w.decide('up'),
  ACK: async (w: World) => w.writes.shift()?.resolve(),
  error: async (w: World) => w.writes.shift()?.reject(kernelError('set down', 'ENOBUFS')),
  'confirmation deadline': async (w: World) => w.clock.advance(CONFIRM_TIMEOUT_MS),
  'retry timer': async (w: World) => w.clock.advance(100),
  're-read done': async (w: World) => w.reads.shift()?.(),
  'interface gone': async (w: World) => {
    w.links.remove(5 as IfIndex);
    w.enforcer.reconcile('vrrp0');
  },
  'interface back, new ifindex': async (w: World) => w.shown(true, 9),
  'fault: recover, then reassert': async (w: World) => {
    w.enforcer.recover();
    w.enforcer.reconcileAll(['vrrp0']);
  },
} as const;
type InputName = keyof typeof INPUTS;

/** The phase after, the writes sent and the re-reads started by the input. */
type Outcome = readonly [PhaseKind, number, number];

// prettier-ignore
const TABLE: Record<PhaseKind, Record<InputName, Outcome>> = {
  idle: {
    'kernel: as wanted': ['idle', 0, 0],
    'kernel: not as wanted': ['writing', 1, 0],
    'wanted changes (up)': ['writing', 1, 0],
    ACK: ['idle', 0, 0],
    error: ['idle', 0, 0],
    'confirmation deadline': ['idle', 0, 0],
    'retry timer': ['idle', 0, 0],
    're-read done': ['idle', 0, 0],
    'interface gone': ['missing', 0, 0],
    'interface back, new ifindex': ['writing', 1, 0],
    'fault: recover, then reassert': ['idle', 0, 0],
  },
  missing: {
    'kernel: as wanted': ['idle', 0, 0],
    'kernel: not as wanted': ['writing', 1, 0],
    'wanted changes (up)': ['missing', 0, 0],
    ACK: ['missing', 0, 0],
    error: ['missing', 0, 0],
    'confirmation deadline': ['missing', 0, 0],
    'retry timer': ['missing', 0, 0],
    're-read done': ['missing', 0, 0],
    'interface gone': ['missing', 0, 0],
    'interface back, new ifindex': ['writing', 1, 0],
    'fault: recover, then reassert': ['missing', 0, 0],
  },
  writing: {
    // One request at a time: whatever happens meanwhile waits for its completion.
    'kernel: as wanted': ['writing', 0, 0],
    'kernel: not as wanted': ['writing', 0, 0],
    'wanted changes (up)': ['writing', 0, 0],
    // The table still shows it up: the notification is awaited.
    ACK: ['acknowledged', 0, 0],
    error: ['retrying', 0, 0],
    'confirmation deadline': ['writing', 0, 0],
    'retry timer': ['writing', 0, 0],
    're-read done': ['writing', 0, 0],
    'interface gone': ['writing', 0, 0],
    'interface back, new ifindex': ['writing', 0, 0],
    // A completion a fault lost must not block it: it is written again.
    'fault: recover, then reassert': ['writing', 1, 0],
  },
  acknowledged: {
    'kernel: as wanted': ['idle', 0, 0],
    'kernel: not as wanted': ['acknowledged', 0, 0],
    // The table may not have heard of the write: it is read again before anything is done.
    'wanted changes (up)': ['verifying', 0, 1],
    ACK: ['acknowledged', 0, 0],
    error: ['acknowledged', 0, 0],
    'confirmation deadline': ['verifying', 0, 1],
    'retry timer': ['acknowledged', 0, 0],
    're-read done': ['acknowledged', 0, 0],
    'interface gone': ['missing', 0, 0],
    // Written down already: the re-created one is taken up after the deadline's re-read.
    'interface back, new ifindex': ['acknowledged', 0, 0],
    'fault: recover, then reassert': ['writing', 1, 0],
  },
  verifying: {
    // Until the re-read is in, the table may be stale: nothing it shows is acted on.
    'kernel: as wanted': ['verifying', 0, 0],
    'kernel: not as wanted': ['verifying', 0, 0],
    'wanted changes (up)': ['verifying', 0, 0],
    ACK: ['verifying', 0, 0],
    error: ['verifying', 0, 0],
    'confirmation deadline': ['verifying', 0, 0],
    'retry timer': ['verifying', 0, 0],
    // Still up after the re-read: written again.
    're-read done': ['writing', 1, 0],
    'interface gone': ['verifying', 0, 0],
    'interface back, new ifindex': ['verifying', 0, 0],
    'fault: recover, then reassert': ['writing', 1, 0],
  },
  retrying: {
    'kernel: as wanted': ['idle', 0, 0],
    'kernel: not as wanted': ['retrying', 0, 0],
    // Up is what it is: nothing left to retry.
    'wanted changes (up)': ['idle', 0, 0],
    ACK: ['retrying', 0, 0],
    error: ['retrying', 0, 0],
    'confirmation deadline': ['writing', 1, 0],
    'retry timer': ['writing', 1, 0],
    're-read done': ['retrying', 0, 0],
    'interface gone': ['missing', 0, 0],
    'interface back, new ifindex': ['retrying', 0, 0],
    'fault: recover, then reassert': ['writing', 1, 0],
  },
};

const cases = Object.entries(TABLE).flatMap(([phase, row]) =>
  Object.entries(row).map(([input, [next, sent, reread]]) => ({ phase: phase as PhaseKind, input: input as InputName, next, sent, reread })),
);

describe('Enforcer: every phase x every input', () => {
  it.each(cases)('$phase + $input -> $next, $sent write(s), $reread re-read(s)', async ({ phase, input, next, sent, reread }) => {
    const w = world();
    await INTO[phase](w);
    await flush();
    expect(w.phase()).toBe(phase);
    const before = w.counts();
    await INPUTS[input](w);
    await flush();
    const after = w.counts();
    expect([w.phase(), after.sent - before.sent, after.reread - before.reread]).toEqual([next, sent, reread]);
    // Every timer belongs to a phase: the retry timer, or the confirmation deadline.
    expect(w.clock.live()).toBe(next === 'retrying' || next === 'acknowledged' ? 1 : 0);
  });
});
