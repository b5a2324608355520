// A small world for the destination state machine's model test (destination.test.ts):
// the real Enforcer, a kernel that applies writes only when told, a link table that
// hears of it only when told, hand-driven timers, and a reference model of what must
// be in progress for each destination, checked after every step.
import { Enforcer } from '../../src/act/enforcer.js';
import type { InterfaceAction } from '../../src/act/interface-action.js';
import { retryDelay } from '../../src/act/retry.js';
import type { EventBody } from '../../src/core/events.js';
import { LinkTable } from '../../src/core/link-table.js';
import type { DestinationStatus } from '../../src/core/status.js';
import { ifIndex, type Decision, type IfIndex } from '../../src/core/types.js';
import { createLogger } from '../../src/logging/logger.js';
import { kernelError } from '../support/errors.js';
import { fakeScheduler } from '../support/fake-scheduler.js';
import { link } from '../support/links.js';
import { ADMIN } from '../support/actions.js';

export const NAMES = ['d0', 'd1'] as const;
export type Name = (typeof NAMES)[number];

export type Command =
  | { readonly t: 'decide'; readonly decision: Decision }
  | { readonly t: 'ack'; readonly name: Name; readonly applies: boolean }
  | { readonly t: 'fail'; readonly name: Name; readonly permanent: boolean }
  | { readonly t: 'notify'; readonly name: Name }
  | { readonly t: 'flip'; readonly name: Name }
  | { readonly t: 'read' }
  | { readonly t: 'advance'; readonly ms: number }
  | { readonly t: 'remove'; readonly name: Name }
  | { readonly t: 'add'; readonly name: Name; readonly up: boolean }
  | { readonly t: 'recover' }
  | { readonly t: 'reassert' }
  | { readonly t: 'claim'; readonly claimed: boolean };

export interface Scenario {
  readonly dryRun: boolean;
  /** Whether d1 is named in the configuration (waited for when missing) or only matched by a glob. */
  readonly d1Named: boolean;
  readonly d0Up: boolean;
  readonly d1Up: boolean;
}

interface Write {
  readonly name: string;
  readonly decision: Decision;
  readonly index: IfIndex | undefined;
  readonly resolve: () => void;
  readonly reject: (err: unknown) => void;
  /** A fault (recover) or forgetting the destination left it behind: the enforcer no longer waits for it. */
  abandoned: boolean;
  done: boolean;
}

interface Read {
  readonly name: string | undefined;
  readonly index: IfIndex;
  readonly resolve: () => void;
  abandoned: boolean;
  done: boolean;
}

const RETRYING = /^retrying after (\d+) failure\(s\)$/;

/** How often each activity was seen after a step, over all sequences: that the sequences reach every phase. */
export const seen = new Map<string, number>();

/** Lets every promise chain the enforcer started run to its end. */
async function flush(): Promise<void> {
  for (let i = 0; i < 20; i++) await Promise.resolve();
}

export class World {
  private readonly clock = fakeScheduler();
  private readonly kernel = new Map<string, { index: IfIndex; adminUp: boolean }>();
  private readonly links = new LinkTable();
  private readonly enforcer: Enforcer;
  private readonly writes: Write[] = [];
  private readonly reads: Read[] = [];
  private readonly violations: string[] = [];
  private wanted: Decision = 'up';
  private d1Claimed = true;
  private nextIndex = 100;
  /** After a failure, no write for the name before its retry delay, unless something new happened. */
  private readonly notBefore = new Map<string, number>();
  private writeEvents = 0;

  constructor(private readonly scenario: Scenario) {
    this.create('d0', scenario.d0Up);
    this.create('d1', scenario.d1Up);
    const action: InterfaceAction = {
      ...ADMIN,
      write: (name, decision) => this.written(name, decision),
    };
    this.enforcer = new Enforcer({
      action,
      links: this.links,
      wanted: (name) => this.wantedOf(name),
      verify: (index) => this.verify(index),
      log: createLogger('verbose', { write: (s, t) => { if (process.env.MACHINE_DEBUG) console.log(`${this.clock.scheduler.now()} ${s}: ${t}`); } }),
      scheduler: this.clock.scheduler,
      dryRun: scenario.dryRun,
      events: { emit: (e) => this.heard(e) },
      // Confirmed as wanted (even from a stale view of the table), a destination is no
      // longer bound by its failure's backoff: the next difference is news, acted on at once.
      onConfirmed: (name) => this.notBefore.delete(name),
      fault: (where, err) => this.violations.push(`fault in ${where}: ${String(err)}`),
    });
    this.enforcer.reconcileAll(this.claimed());
  }

  async run(c: Command): Promise<void> {
    switch (c.t) {
      case 'decide':
        this.wanted = c.decision;
        this.notBefore.clear();
        this.enforcer.renew(this.claimed());
        break;
      case 'ack':
        this.complete(c.name, (w) => {
          const k = this.kernel.get(w.name);
          if (c.applies && k !== undefined) k.adminUp = w.decision === 'up';
          w.resolve();
        });
        break;
      case 'fail':
        this.complete(c.name, (w) => w.reject(kernelError(`set ${w.decision}`, c.permanent ? 'EPERM' : 'ENOBUFS')));
        break;
      case 'notify':
        this.notify(c.name);
        break;
      case 'flip': {
        const k = this.kernel.get(c.name);
        if (k !== undefined) k.adminUp = !k.adminUp;
        this.notify(c.name);
        break;
      }
      case 'read':
        this.readDone();
        break;
      case 'advance':
        this.clock.advance(c.ms);
        break;
      case 'remove':
        this.notBefore.delete(c.name);
        this.kernel.delete(c.name);
        this.notify(c.name);
        break;
      case 'add':
        this.notBefore.delete(c.name);
        this.create(c.name, c.up);
        this.enforcer.reconcile(c.name);
        break;
      case 'recover':
        this.enforcer.recover();
        if (this.clock.live() !== 0) this.violations.push(`${this.clock.live()} timer(s) left running after recover()`);
        for (const w of this.writes) w.abandoned = true;
        for (const r of this.reads) r.abandoned = true;
        this.notBefore.clear();
        this.enforcer.reconcileAll(this.claimed());
        break;
      case 'reassert':
        this.enforcer.reconcileAll(this.claimed());
        break;
      case 'claim':
        this.d1Claimed = c.claimed;
        this.enforcer.reconcileAll(this.claimed());
        break;
    }
    await flush();
    this.check();
  }

  /** Everything delivered, every timer run: each destination must end as wanted, with nothing pending. */
  async settle(): Promise<void> {
    // At least twice: notifications still to deliver are not seen by quiet().
    for (let round = 0; round < 30 && (round < 2 || !this.quiet()); round++) {
      for (const w of this.writes.filter((w) => !w.done)) {
        w.done = true;
        const k = this.kernel.get(w.name);
        if (k !== undefined) k.adminUp = w.decision === 'up';
        w.resolve();
      }
      await flush();
      while (this.reads.some((r) => !r.done)) {
        this.readDone();
        await flush();
      }
      for (const name of NAMES) this.notify(name);
      await flush();
      this.clock.advance(6000);
      await flush();
      this.check();
    }
    this.expect(this.quiet(), 'still busy after 30 rounds of delivering everything');
    const statuses = this.enforcer.statuses();
    for (const name of NAMES) {
      const s = statuses.find((x) => x.name === name);
      const k = this.kernel.get(name);
      if (!this.claimed().includes(name)) {
        this.expect(s === undefined, `${name} is no destination but still kept`);
        continue;
      }
      if (k === undefined) continue;
      this.expect(s?.activity === undefined, `${name} settled but ${s?.activity}`);
      if (!this.scenario.dryRun) this.expect(k.adminUp === (this.wanted === 'up'), `${name} settled ${k.adminUp ? 'up' : 'down'}, wanted ${this.wanted}`);
    }
    this.expect(this.clock.live() === 0, `${this.clock.live()} timer(s) running once settled`);
    this.enforcer.close();
    this.expect(this.clock.live() === 0, 'a timer runs after close()');
    this.report();
  }

  /** Throws the first broken invariant, with the others. */
  report(): void {
    if (this.violations.length > 0) throw new Error(this.violations.join('\n'));
  }

  private claimed(): string[] {
    return this.d1Claimed ? [...NAMES] : ['d0'];
  }

  private wantedOf(name: string) {
    if (!this.claimed().includes(name)) return undefined;
    const named = name === 'd0' || this.scenario.d1Named;
    return { decision: this.wanted, because: 'the model', downBecause: this.wanted === 'down' ? ['g'] : [], named };
  }

  private create(name: string, up: boolean): void {
    const old = this.kernel.get(name);
    if (old !== undefined) this.links.remove(old.index);
    const index = ifIndex(this.nextIndex++);
    this.kernel.set(name, { index, adminUp: up });
    this.links.upsert(link(index, name, { adminUp: up }));
  }

  /** The kernel's notification reaches the table. */
  private notify(name: string): void {
    const k = this.kernel.get(name);
    const shown = this.links.byName(name);
    if (shown !== undefined && shown.index !== k?.index) this.links.remove(shown.index);
    if (k !== undefined) this.links.upsert(link(k.index, name, { adminUp: k.adminUp }));
    this.enforcer.reconcile(name);
  }

  private written(name: string, decision: Decision): Promise<void> {
    if (this.scenario.dryRun) this.violations.push(`dry-run wrote ${name} ${decision}`);
    const open = this.writes.filter((w) => w.name === name && !w.done && !w.abandoned);
    if (open.length > 0) this.violations.push(`a second request in flight for ${name}`);
    const due = this.notBefore.get(name);
    if (due !== undefined && this.clock.scheduler.now() < due) this.violations.push(`${name} retried at ${this.clock.scheduler.now()} ms, before its backoff (${due} ms)`);
    this.notBefore.delete(name);
    return new Promise<void>((resolve, reject) => {
      this.writes.push({ name, decision, index: this.links.byName(name)?.index, resolve, reject, abandoned: false, done: false });
    });
  }

  private verify(index: IfIndex): Promise<void> {
    const name = [...this.writes].reverse().find((w) => w.index === index)?.name;
    return new Promise<void>((resolve) => this.reads.push({ name, index, resolve, abandoned: false, done: false }));
  }

  private heard(e: EventBody): void {
    if (e.kind !== 'destination') return;
    if (e.outcome === 'write') this.writeEvents += 1;
    if (e.outcome === 'confirmed' && e.wanted !== this.wanted) this.violations.push(`${e.name} confirmed ${e.wanted}, but ${this.wanted} is wanted`);
    if (e.outcome === 'failed') {
      // Said after the failure is counted: its attempts include this one.
      const failures = this.enforcer.statuses().find((s) => s.name === e.name)?.failing?.attempts ?? 1;
      const permanent = e.error?.includes('EPERM') === true;
      this.notBefore.set(e.name, this.clock.scheduler.now() + retryDelay(failures, permanent ? 'permanent' : 'transient'));
    }
  }

  /** The oldest request in flight for the name completes (a left-behind one too: the kernel still answers it). */
  private complete(name: string, how: (w: Write) => void): void {
    const w = this.writes.find((x) => x.name === name && !x.done);
    if (w === undefined) return;
    w.done = true;
    how(w);
  }

  private readDone(): void {
    const r = this.reads.find((x) => !x.done);
    if (r === undefined) return;
    r.done = true;
    const k = [...this.kernel.entries()].find(([, v]) => v.index === r.index);
    if (k === undefined) this.links.remove(r.index);
    else this.links.upsert(link(r.index, k[0], { adminUp: k[1].adminUp }));
    r.resolve();
  }

  private quiet(): boolean {
    return this.writes.every((w) => w.done) && this.reads.every((r) => r.done) && this.clock.live() === 0;
  }

  private expect(ok: boolean, what: string): void {
    if (!ok) this.violations.push(what);
  }

  /** The invariants that hold after every step. */
  private check(): void {
    const statuses = this.enforcer.statuses();
    const kept = new Set(statuses.map((s) => s.name));
    // A destination the enforcer forgot no longer waits for what it had sent.
    for (const w of this.writes) if (!kept.has(w.name)) w.abandoned = true;
    for (const r of this.reads) if (r.name === undefined || !kept.has(r.name)) r.abandoned = true;
    // The backoff binds a destination only while it is retrying: confirmed, renewed or gone meanwhile, it acts at once.
    for (const name of NAMES) if (!RETRYING.test(statuses.find((s) => s.name === name)?.activity ?? '')) this.notBefore.delete(name);
    let retrying = 0;
    let acknowledged = 0;
    for (const s of statuses) this.checkOne(s, () => (retrying += 1), () => (acknowledged += 1));
    if (this.scenario.dryRun) this.expect(this.writes.length === 0 && this.clock.live() === 0, 'dry-run wrote or set a timer');
    // The request leaves before its event, in the same turn: after a step, each write has had its event.
    this.expect(this.writeEvents === this.writes.length, `${this.writes.length} write(s) but ${this.writeEvents} write event(s)`);
    // Every timer belongs to a phase: a retry timer to each retrying destination, one deadline timer to all acknowledged ones.
    const timers = retrying + (acknowledged > 0 ? 1 : 0);
    this.expect(this.clock.live() === timers, `${this.clock.live()} timer(s) running for ${retrying} retrying and ${acknowledged} acknowledged`);
    this.report();
  }

  private checkOne(s: DestinationStatus, retrying: () => void, acknowledged: () => void): void {
    const phase = s.activity?.replace(/\d+/, 'N') ?? (s.state === 'missing' ? 'missing' : 'idle');
    seen.set(phase, (seen.get(phase) ?? 0) + 1);
    const inFlight = this.writes.some((w) => w.name === s.name && !w.done && !w.abandoned);
    const reading = this.reads.some((r) => r.name === s.name && !r.done && !r.abandoned);
    this.expect(inFlight === (s.activity === 'request in flight'), `${s.name}: ${s.activity ?? 'idle'} with${inFlight ? '' : 'out'} a request in flight`);
    this.expect(reading === (s.activity === 're-reading it from the kernel'), `${s.name}: ${s.activity ?? 'idle'} with${reading ? '' : 'out'} a re-read pending`);
    const failures = RETRYING.exec(s.activity ?? '')?.[1];
    if (failures !== undefined) {
      retrying();
      this.expect(Number(failures) >= 1 && s.failing?.attempts === Number(failures), `${s.name}: ${s.activity}, failing ${JSON.stringify(s.failing)}`);
    }
    if (s.activity === 'awaiting kernel confirmation') acknowledged();
    if (s.state === 'missing' && s.activity !== undefined) {
      this.expect(s.activity === 'request in flight' || s.activity === 're-reading it from the kernel', `${s.name} missing but ${s.activity}`);
    }
  }
}
