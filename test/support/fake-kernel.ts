import type {
  GroupChange,
  KernelPort,
  LinkEvents,
  ProtoDownChange,
  RouteAddressEvents,
  Subscription,
} from '../../src/core/kernel-port.js';
import { reasonMask } from '../../src/core/protodown-reason.js';
import type { AddressEntry } from '../../src/core/sources/address-table.js';
import type { RouteEntry } from '../../src/core/sources/route-table.js';
import { ifIndex, type IfIndex, type LinkState } from '../../src/core/types.js';
import { kernelError } from './errors.js';

/** What the fake keeps of an interface: its settings, and the carrier its peer gives it. */
export interface FakeLinkSettings {
  readonly adminUp: boolean;
  /** The physical carrier; IFF_LOWER_UP also needs admin up and protodown off. */
  readonly carrier: boolean;
  readonly protoDown: boolean;
  readonly reasons: number;
  readonly group: number;
  /** Whether the device takes IFLA_PROTO_DOWN (macvlan does, veth does not: EOPNOTSUPP). */
  readonly protoDownCapable: boolean;
}

interface Kept extends FakeLinkSettings {
  readonly index: IfIndex;
  readonly name: string;
}

export type WriteOp = 'setAdmin' | 'setProtoDown' | 'setGroup' | 'switchGroup';
type ReadOp = 'dumpLinks' | 'link' | 'linkByName' | 'dumpRoutes' | 'dumpAddresses';

const FRESH: FakeLinkSettings = { adminUp: true, carrier: true, protoDown: false, reasons: 0, group: 0, protoDownCapable: true };

/** The interface as the kernel reports it: IFF_LOWER_UP only while admin up, protodown forcing carrier off. */
function reported(k: Kept): LinkState {
  const lowerUp = k.adminUp && k.carrier && !k.protoDown;
  return {
    index: k.index,
    name: k.name,
    adminUp: k.adminUp,
    lowerUp,
    operState: !k.adminUp ? 'down' : lowerUp ? 'up' : 'lowerlayerdown',
    protoDown: k.protoDown,
    ...(k.reasons !== 0 ? { protoDownReasons: k.reasons } : {}),
    group: k.group,
  };
}

const sameReport = (a: LinkState, b: LinkState): boolean => JSON.stringify(a) === JSON.stringify(b);

/**
 * An in-memory kernel for the daemon (src/core/kernel-port.ts): a link, route and address
 * table that answers dumps and gets, applies writes as the kernel does (protodown reasons
 * first, protodown off refused with EBUSY while a bit is set; a group switch stops at the
 * first member that refuses), and notifies subscribers asynchronously, in a later turn of
 * the event loop, only of what changed. A test changes the world behind the daemon's back
 * (carrier, deletion, re-creation under a new index), drops notifications (an overrun),
 * makes writes fail with an errno, and reads back every request in `requests`.
 */
export class FakeKernel implements KernelPort {
  /** Every request, in order: "dumpLinks", "setAdmin vrrp0 down", "switchGroup 100 admin down"... */
  readonly requests: string[] = [];
  private readonly links = new Map<IfIndex, Kept>();
  private routes: RouteEntry[] = [];
  private addresses: AddressEntry[] = [];
  private nextIndex = 1;
  private readonly linkSubscribers = new Set<LinkEvents>();
  private readonly routeSubscribers = new Set<RouteAddressEvents>();
  private queue: Array<() => void> = [];
  private flushing = false;
  private refusals: Array<{ op: WriteOp | ReadOp; target?: string; code: string; left: number }> = [];
  private dumpGate?: Promise<void>;
  private nameGate?: Promise<void>;
  private closed = false;
  private leftOpen = 0;

  // ---- the world, changed by the test ----

  /** A new interface (healthy unless told otherwise), announced to subscribers. */
  add(name: string, over: Partial<FakeLinkSettings> & { readonly index?: number } = {}): LinkState {
    if (this.byName(name) !== undefined) throw new Error(`fake kernel: ${name} exists`);
    const index = ifIndex(over.index ?? this.nextIndex);
    if (this.links.has(index)) throw new Error(`fake kernel: ifindex ${index} in use`);
    this.nextIndex = Math.max(this.nextIndex, index + 1);
    const kept: Kept = { ...FRESH, ...over, index, name };
    this.links.set(index, kept);
    this.announceLink(reported(kept));
    return reported(kept);
  }

  /** Carrier on or off, as a cable or a peer changes it. */
  setCarrier(name: string, carrier: boolean): void {
    this.change(this.mustFind(name), { carrier });
  }

  /** Any setting changed by another program (`ip link set`). */
  set(name: string, settings: Partial<FakeLinkSettings>): void {
    this.change(this.mustFind(name), settings);
  }

  /** Renamed (`ip link set X name Y`): one RTM_NEWLINK, same ifindex, the new name. */
  rename(name: string, to: string): LinkState {
    if (this.byName(to) !== undefined) throw new Error(`fake kernel: ${to} exists`);
    const renamed: Kept = { ...this.mustFind(name), name: to };
    this.links.set(renamed.index, renamed);
    this.announceLink(reported(renamed));
    return reported(renamed);
  }

  /** The interface deleted: RTM_DELLINK. */
  remove(name: string): void {
    const k = this.mustFind(name);
    this.links.delete(k.index);
    this.announce((s) => s.linkRemoved(k.index));
  }

  /** Deleted and created again under the same name with a new ifindex (as keepalived does with its VMACs). */
  recreate(name: string, over: Partial<FakeLinkSettings> = {}): LinkState {
    this.remove(name);
    return this.add(name, over);
  }

  /** The interface of this name as the kernel would report it now. */
  state(name: string): LinkState | undefined {
    const k = this.byName(name);
    return k === undefined ? undefined : reported(k);
  }

  addRoute(route: RouteEntry): void {
    this.routes.push(route);
    this.announceRoute((s) => s.routeAdded(route, false));
  }

  deleteRoute(route: RouteEntry): void {
    this.routes = this.routes.filter((r) => r !== route);
    this.announceRoute((s) => s.routeDeleted(route));
  }

  addAddress(address: AddressEntry): void {
    this.addresses.push(address);
    this.announceRoute((s) => s.addressAdded(address));
  }

  deleteAddress(address: AddressEntry): void {
    this.addresses = this.addresses.filter((a) => a !== address);
    this.announceRoute((s) => s.addressDeleted(address));
  }

  // ---- faults ----

  /**
   * A receive-queue overrun: every notification not yet delivered is lost, and each
   * subscriber hears eventsLost instead, once, in a later turn.
   */
  overrun(): void {
    this.queue = [];
    this.announce((s) => s.eventsLost());
    this.announceRoute((s) => s.eventsLost());
  }

  /** Changes the world without a word: the notification of it is lost (pair with overrun()). */
  silently(change: () => void): void {
    const kept = this.queue.length;
    change();
    this.queue.splice(kept);
  }

  /** The next `times` requests of `op` (on `target`, a name or "group N", if given) fail with errno `code`. */
  refuse(op: WriteOp | ReadOp, code: string, options: { readonly target?: string; readonly times?: number } = {}): () => void {
    const rule = { op, code, left: options.times ?? Infinity, ...(options.target !== undefined ? { target: options.target } : {}) };
    this.refusals.push(rule);
    return () => (rule.left = 0);
  }

  /** Holds every link dump until the returned call: notifications sent meanwhile arrive during it. */
  holdDumps(): () => void {
    let release!: () => void;
    this.dumpGate = new Promise((resolve) => (release = resolve));
    return () => {
      this.dumpGate = undefined;
      release();
    };
  }

  /** Holds every read by name (linkByName) until the returned call; its answer is the state when it was asked. */
  holdNameReads(): () => void {
    let release!: () => void;
    this.nameGate = new Promise((resolve) => (release = resolve));
    return () => {
      this.nameGate = undefined;
      release();
    };
  }

  // ---- what the test reads back ----

  /** How often the links were read: whole dumps, and RTM_GETLINKs by name (per name). */
  linkReads(): { readonly dumps: number; readonly byName: ReadonlyMap<string, number> } {
    const byName = new Map<string, number>();
    let dumps = 0;
    for (const r of this.requests) {
      const name = /^linkByName (.+)$/.exec(r)?.[1];
      if (r === 'dumpLinks') dumps += 1;
      else if (name !== undefined) byName.set(name, (byName.get(name) ?? 0) + 1);
    }
    return { dumps, byName };
  }

  /** The writes among the requests. */
  writes(): string[] {
    return this.requests.filter((r) => /^(setAdmin|setProtoDown|setGroup|switchGroup|after close)/.test(r));
  }

  /** Subscriptions still open. */
  get subscriptions(): number {
    return this.linkSubscribers.size + this.routeSubscribers.size;
  }

  /** The subscriptions still open when close() was called: their owners forgot them. */
  get subscriptionsLeftAtClose(): number {
    return this.leftOpen;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Resolves once every notification queued so far has been delivered. */
  async delivered(): Promise<void> {
    while (this.queue.length > 0 || this.flushing) await new Promise((resolve) => setImmediate(resolve));
  }

  // ---- the port ----

  async dumpLinks(): Promise<LinkState[]> {
    await this.read('dumpLinks');
    const snapshot = [...this.links.values()].map(reported);
    await this.dumpGate;
    return snapshot;
  }

  async link(index: IfIndex): Promise<LinkState | undefined> {
    await this.read('link', String(index));
    const k = this.links.get(index);
    return k === undefined ? undefined : reported(k);
  }

  async linkByName(name: string): Promise<LinkState | undefined> {
    await this.read('linkByName', name);
    const snapshot = this.state(name);
    await this.nameGate;
    return snapshot;
  }

  setAdmin(name: string, up: boolean): Promise<void> {
    return this.write('setAdmin', name, `${up ? 'up' : 'down'}`, () => this.change(this.found(name), { adminUp: up }));
  }

  setProtoDown(name: string, change: ProtoDownChange): Promise<void> {
    return this.write('setProtoDown', name, describeProtoDown(change), () => this.protoDown(this.found(name), change));
  }

  setGroup(name: string, group: number): Promise<void> {
    return this.write('setGroup', name, String(group), () => this.change(this.found(name), { group }));
  }

  switchGroup(group: number, change: GroupChange): Promise<void> {
    const what = change.kind === 'admin' ? `admin ${change.up ? 'up' : 'down'}` : `protodown ${describeProtoDown(change)}`;
    return this.write('switchGroup', `group ${group}`, what, () => {
      // One rtnl critical section; the kernel stops at the first member that refuses.
      for (const k of [...this.links.values()].filter((l) => l.group === group).sort((a, b) => a.index - b.index)) {
        if (change.kind === 'admin') this.change(k, { adminUp: change.up });
        else this.protoDown(k, change);
      }
    });
  }

  subscribeLinks(events: LinkEvents): Subscription {
    this.requests.push('subscribeLinks');
    if (this.closed) throw new Error('fake kernel: subscribing after close');
    this.linkSubscribers.add(events);
    return { close: () => void this.linkSubscribers.delete(events) };
  }

  async dumpRoutes(): Promise<RouteEntry[]> {
    await this.read('dumpRoutes');
    return [...this.routes];
  }

  async dumpAddresses(): Promise<AddressEntry[]> {
    await this.read('dumpAddresses');
    return [...this.addresses];
  }

  subscribeRoutesAndAddresses(events: RouteAddressEvents): Subscription {
    this.requests.push('subscribeRoutesAndAddresses');
    if (this.closed) throw new Error('fake kernel: subscribing after close');
    this.routeSubscribers.add(events);
    return { close: () => void this.routeSubscribers.delete(events) };
  }

  close(): void {
    this.requests.push('close');
    this.closed = true;
    this.leftOpen = this.subscriptions;
    this.linkSubscribers.clear();
    this.routeSubscribers.clear();
  }

  // ---- inside ----

  private async read(op: ReadOp, target?: string): Promise<void> {
    this.requests.push(target === undefined ? op : `${op} ${target}`);
    if (this.closed) throw kernelError(op, 'ESHUTDOWN');
    const refused = this.refusal(op, target);
    if (refused !== undefined) throw kernelError(op, refused);
  }

  /** Records the request, refuses it if told to, applies it; resolves as the ACK would. */
  private async write(op: WriteOp, target: string, what: string, apply: () => void): Promise<void> {
    if (this.closed) {
      this.requests.push(`after close: ${op} ${target} ${what}`);
      throw kernelError(op, 'ESHUTDOWN');
    }
    this.requests.push(`${op} ${target} ${what}`);
    const refused = this.refusal(op, target);
    if (refused !== undefined) throw kernelError(`${op} ${target}`, refused);
    apply();
  }

  private refusal(op: WriteOp | ReadOp, target: string | undefined): string | undefined {
    const rule = this.refusals.find((r) => r.left > 0 && r.op === op && (r.target === undefined || r.target === target));
    if (rule === undefined) return undefined;
    rule.left -= 1;
    return rule.code;
  }

  private protoDown(k: Kept, change: ProtoDownChange): void {
    if (!k.protoDownCapable) throw kernelError(`protodown ${k.name}`, 'EOPNOTSUPP');
    let reasons = k.reasons;
    if (change.reason !== undefined) {
      const mask = reasonMask(change.reason.bit);
      reasons = (change.reason.set ? reasons | mask : reasons & ~mask) >>> 0;
      this.change(k, { reasons });
    }
    if (change.on === undefined) return;
    // As do_set_proto_down: the reason is applied first, then protodown off is refused.
    if (!change.on && reasons !== 0) throw kernelError(`protodown ${k.name}`, 'EBUSY');
    this.change(this.links.get(k.index)!, { protoDown: change.on });
  }

  private change(k: Kept, settings: Partial<FakeLinkSettings>): void {
    const before = reported(k);
    const after: Kept = { ...k, ...settings };
    this.links.set(k.index, after);
    const now = reported(after);
    if (!sameReport(before, now)) this.announceLink(now);
  }

  private byName(name: string): Kept | undefined {
    for (const k of this.links.values()) if (k.name === name) return k;
    return undefined;
  }

  private mustFind(name: string): Kept {
    const k = this.byName(name);
    if (k === undefined) throw new Error(`fake kernel: no interface ${name}`);
    return k;
  }

  /** As the kernel answers a request naming a missing interface. */
  private found(name: string): Kept {
    const k = this.byName(name);
    if (k === undefined) throw kernelError(`no interface ${name}`, 'ENODEV');
    return k;
  }

  private announceLink(link: LinkState): void {
    // As the monitor does: a notification the subscriber says cannot concern it is not read.
    this.announce((s) => {
      if (s.concerns?.(link.index, () => link.name) !== false) s.linkChanged(link);
    });
  }

  /** Queued for the subscribers of now, delivered in a later turn (a closed subscription gets nothing). */
  private announce(call: (s: LinkEvents) => void): void {
    const to = [...this.linkSubscribers];
    this.enqueue(() => {
      for (const s of to) if (this.linkSubscribers.has(s)) call(s);
    });
  }

  private announceRoute(call: (s: RouteAddressEvents) => void): void {
    const to = [...this.routeSubscribers];
    this.enqueue(() => {
      for (const s of to) if (this.routeSubscribers.has(s)) call(s);
    });
  }

  private enqueue(deliver: () => void): void {
    this.queue.push(deliver);
    if (this.flushing) return;
    this.flushing = true;
    setImmediate(() => {
      this.flushing = false;
      const batch = this.queue;
      this.queue = [];
      for (const d of batch) d();
    });
  }
}

function describeProtoDown(c: ProtoDownChange): string {
  const on = c.on === undefined ? '' : c.on ? 'on' : 'off';
  const reason = c.reason === undefined ? '' : `bit${c.reason.bit}=${c.reason.set ? 1 : 0}`;
  return [on, reason].filter((s) => s !== '').join(' ');
}
