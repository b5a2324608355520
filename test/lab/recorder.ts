// Recorders of admin state changes (and protodown), from `ip monitor link` after a
// baseline (monitor.ts): proof that something never happened, and when something did.
import { adminOf, parseLinkLine, readLinks, type Admin } from './links.js';
import { KernelMonitor, type MonitorHost } from './monitor.js';
import { waitFor } from './wait.js';

/** A change of the admin state of one interface, and when the monitor reported it. */
export interface AdminEvent {
  readonly t: number;
  readonly name: string;
  readonly admin: Admin;
}

/** A change of admin state (IFF_UP) or protodown (false when missing) of one interface. */
export interface LinkEvent extends AdminEvent {
  readonly protodown: boolean;
}

export interface RecorderOptions {
  /** Record changes of protodown (IFLA_PROTO_DOWN) too, not only of the admin state. Default false. */
  readonly protodown?: boolean;
}

/**
 * Records the admin state changes of every interface of the namespace with their
 * arrival time, from the baseline on: nothing from before start() resolved counts.
 * Notifications that do not change the admin state (operstate, carrier, statistics;
 * protodown unless asked for) are not recorded.
 */
export class AdminRecorder extends KernelMonitor {
  /** Changes of admin state (including 'missing' for a deletion), oldest first. */
  readonly events: LinkEvent[] = [];
  private readonly last = new Map<string, string>();

  protected constructor(
    host: MonitorHost,
    private readonly opts: RecorderOptions,
  ) {
    super(host, ['link']);
  }

  static async start(lab: MonitorHost, opts: RecorderOptions = {}): Promise<AdminRecorder> {
    const rec = new AdminRecorder(lab, opts);
    await rec.listen();
    return rec;
  }

  private key(admin: Admin, protodown: boolean): string {
    return this.opts.protodown && protodown ? `${admin}/protodown` : admin;
  }

  protected baseline(): void {
    this.last.clear();
    for (const l of readLinks(this.ns)) this.last.set(l.ifname, this.key(adminOf(l), l.proto_down === true));
  }

  protected apply(t: number, line: string, record: boolean): void {
    const link = parseLinkLine(line);
    if (link === undefined) return;
    const k = this.key(link.admin, link.protodown);
    if (this.last.get(link.name) === k) return;
    this.last.set(link.name, k);
    if (record) this.events.push({ t, ...link });
  }

  /** The recorded changes of `name` at or after `since`. */
  of(name: string, since = 0): LinkEvent[] {
    return this.events.filter((e) => e.name === name && e.t >= since);
  }

  /** The first time `name` was seen in state `admin` at or after `since`. */
  firstAt(name: string, admin: Admin, since = 0): number | undefined {
    return this.of(name, since).find((e) => e.admin === admin)?.t;
  }

  /** Waits until the recorder has seen `name` in state `admin` at or after `since`; returns when. */
  waitSeen(name: string, admin: Admin, since: number, timeout = 5000, context?: () => string): Promise<number> {
    return waitFor(`ip monitor to report ${name} admin ${admin}`, () => this.firstAt(name, admin, since), {
      timeout,
      ...(context ? { context } : {}),
    });
  }

  /** Every recorded change (of `names`, if given), for failure messages. */
  dump(names?: readonly string[]): string {
    const shown = names ? this.events.filter((e) => names.includes(e.name)) : this.events;
    return shown.map((e) => `${e.t.toFixed(1)} ${e.name} admin ${e.admin}${e.protodown ? ' protodown' : ''}`).join('\n');
  }
}

/** Every change of admin state or protodown after the baseline: the recorder of the multi-group tests. */
export class LinkRecorder extends AdminRecorder {
  static override async start(lab: MonitorHost): Promise<LinkRecorder> {
    const rec = new LinkRecorder(lab, { protodown: true });
    await rec.listen();
    return rec;
  }

  /** firstAt, by the name the group tests use. */
  firstAdmin(name: string, admin: Admin, since = 0): number | undefined {
    return this.firstAt(name, admin, since);
  }

  /** waitSeen, by the name the group tests use. */
  waitAdmin(name: string, admin: Admin, since: number, timeout = 5000, context?: () => string): Promise<number> {
    return this.waitSeen(name, admin, since, timeout, context);
  }
}
