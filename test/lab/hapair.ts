// The keepalived end-to-end test's fixture: contrib/keepalived/vmac-down's pair in a HaLab, its
// keepalived and ifdepd processes, the VRRP timers the deadlines derive from, and the
// per-action view of the VMAC (admin state for `admin`, IFLA_PROTO_DOWN for `protodown`),
// so that one scenario can be asserted for either action.
import { expect } from 'vitest';
import { performance } from 'node:perf_hooks';
import { HaLab, type Sample } from './halab.js';
import { optionValue, readIfdepdExample, readKeepalivedExample, renderKeepalived, withOption, type KeepalivedExample, type Node } from './keepalived.js';
import type { Proc } from './proc.js';

/** The actions of the -S/-D command line (`--action`). */
export type CliAction = 'admin' | 'protodown';

/** advert_int the example is run with: 0.1 s keeps the whole file to seconds. */
export const ADVERT_INT = Number(process.env.IFDEPD_E2E_ADVERT_INT ?? '0.1');
/** How much later than its VRRP timers a transition may come on a loaded CI machine. */
export const SLACK_MS = 2000;

/** RFC 5798 Master_Down_Interval for a backup of this priority, in ms. */
export const masterDownMs = (priority: number): number => (3 * ADVERT_INT + ((256 - priority) / 256) * ADVERT_INT) * 1000;
export const skewMs = (priority: number): number => ((256 - priority) / 256) * ADVERT_INT * 1000;

/** Per test: generous, and scaled with the VRRP timers. */
export const TEST_TIMEOUT = 30_000 + 30 * masterDownMs(1);

export const ms = (x: number): string => `${Math.round(x)} ms`;

/** A string as a literal in a RegExp. */
export const re = (s: string): string => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

export class HaPair {
  lab!: HaLab;
  readonly ex = {} as Record<Node, KeepalivedExample>;
  readonly args = {} as Record<Node, string[]>;
  readonly ka = {} as Record<Node, Proc>;
  fw2Ifdepd: Proc | undefined;
  /** fw1's ifdepd while one runs. */
  d: Proc | undefined;
  upDelayMs = 0;
  readonly results: string[] = [];

  record(line: string): void {
    this.results.push(line);
    console.log(`keepalived e2e: ${line}`);
  }

  /** Every process's log tail, for failure messages. */
  readonly context = (): string =>
    [this.d, this.ka.fw1, this.ka.fw2, this.fw2Ifdepd]
      .filter((p): p is Proc => p !== undefined)
      .map((p) => p.tail(15))
      .join('\n');

  /** Reads and checks the examples, builds the lab, starts both keepalived and fw2's ifdepd. */
  async setUp(): Promise<void> {
    for (const node of ['fw1', 'fw2'] as const) {
      this.ex[node] = readKeepalivedExample(node, 'vmac-down');
      this.args[node] = readIfdepdExample(node, 'vmac-down');
    }
    const { ex, args } = this;
    // The two nodes' examples must describe the same instance, and ifdepd must watch it.
    expect(ex.fw2.vmac).toBe(ex.fw1.vmac);
    expect(ex.fw2.vip).toBe(ex.fw1.vip);
    expect(ex.fw2.iface).toBe(ex.fw1.iface);
    expect(ex.fw1.priority).toBeGreaterThan(ex.fw2.priority);
    for (const node of ['fw1', 'fw2'] as const) {
      expect(optionValue(args[node], '-D')?.split(':'), `contrib/keepalived/vmac-down/${node}/ifdepd -D`).toContain(ex[node].vmac);
    }
    const up = optionValue(args.fw1, '-S');
    expect(up, 'the lab gives each node one uplink: -S names one interface').toMatch(/^[^:]+$/);
    expect(optionValue(args.fw2, '-S')).toBe(up);
    const upDelay = optionValue(args.fw1, '--up-delay') ?? '2s';
    this.upDelayMs = /ms$/.test(upDelay) ? parseFloat(upDelay) : parseFloat(upDelay) * 1000;

    this.lab = HaLab.create({ lanIf: ex.fw1.iface, upIf: up!, vmac: ex.fw1.vmac, vip: ex.fw1.vip });
    await this.lab.monitor();
    await Promise.all([this.startKeepalived('fw1'), this.startKeepalived('fw2')]);
    // fw2 runs its own ifdepd as shipped; its uplink stays up, so it must never act.
    this.fw2Ifdepd = await this.lab.ifdepd('fw2', args.fw2);
    this.record(
      `advert_int ${ADVERT_INT} s: master-down interval fw2 ${ms(masterDownMs(ex.fw2.priority))}, ` +
        `fw1 ${ms(masterDownMs(ex.fw1.priority))}; skew time fw2 ${ms(skewMs(ex.fw2.priority))}; ` +
        `ifdepd ${args.fw1.join(' ')}`,
    );
  }

  async tearDown(): Promise<void> {
    try {
      await this.stopIfdepd();
      const fw2 = this.fw2Ifdepd;
      if (fw2 !== undefined) {
        // fw2's uplink never moved: its ifdepd never decided down. (It does force up the
        // VMAC keepalived sets down at shutdown and re-creates down, when fw2's
        // keepalived restarts in the last test: its decision is up.)
        expect(fw2.since().filter((l) => /down \(|forcing it down/.test(l)), fw2.tail()).toEqual([]);
        await fw2.stop();
      }
      for (const node of ['fw1', 'fw2'] as const) await this.ka[node]?.stop();
    } finally {
      this.lab?.destroy();
      if (this.results.length > 0) console.log(`keepalived e2e, measured:\n  ${this.results.join('\n  ')}`);
    }
  }

  config(node: Node, xmitBase = true): string {
    return renderKeepalived(this.ex[node], { advertInt: ADVERT_INT, xmitBase });
  }

  async startKeepalived(node: Node, xmitBase = true): Promise<void> {
    this.ka[node] = this.lab.keepalived(node, this.config(node, xmitBase));
    // A VMAC seen down when keepalived creates it: "(LAN) entering FAULT state (interface vrrp.51 down)"
    // at start-up; a state entered later: "(LAN) Entering FAULT STATE".
    await this.ka[node].waitForLog(/entering (BACKUP|MASTER|FAULT) state/i, 10_000);
  }

  async stopKeepalived(node: Node): Promise<void> {
    const exit = await this.ka[node].stop();
    expect(exit, this.ka[node].tail()).toEqual({ code: 0, signal: null });
  }

  /** fw1 with carrier and its VMAC up (protodown off), fw1 alone owning the VIP. */
  async steady(): Promise<void> {
    const { lab } = this;
    lab.restoreUplink('fw1');
    // A stopped ifdepd leaves the VMAC as it was: put it back as keepalived would have it.
    if (lab.vmacAdmin('fw1') === 'down') lab.ip('fw1', 'link', 'set', lab.vmac, 'up');
    // ifdepd holds protodown with its reason bit (6 by default): the kernel refuses to clear
    // protodown while a reason is set, so the bit goes in the same request.
    if (lab.vmacProtodown('fw1')) lab.ip('fw1', 'link', 'set', lab.vmac, 'protodown_reason', '6', 'off', 'protodown', 'off');
    await lab.waitOwner('fw1', masterDownMs(this.ex.fw1.priority) + 5000, this.context);
  }

  /** ifdepd on fw1 with the example's arguments and `action`, changed by `edit`; -v for the record. */
  async startIfdepd(action: CliAction, edit: (a: string[]) => string[] = (a) => a): Promise<Proc> {
    this.d = await this.lab.ifdepd('fw1', ['-v', ...edit(withOption(this.args.fw1, '--action', action))]);
    return this.d;
  }

  /** SIGTERM: ifdepd exits 0 and leaves the VMAC as it is. */
  async stopIfdepd(): Promise<void> {
    if (this.d === undefined) return;
    const p = this.d;
    this.d = undefined;
    const exit = await p.stop();
    expect(exit, p.tail()).toEqual({ code: 0, signal: null });
  }

  /** Cuts fw1's uplink, waits for fw2 to own the VIP; returns the cut instant and the takeover time. */
  async failover(): Promise<{ cut: number; takeover: number }> {
    const cut = performance.now();
    this.lab.cutUplink('fw1');
    const owned = await this.lab.waitOwner('fw2', masterDownMs(this.ex.fw2.priority) + SLACK_MS, this.context);
    const on = this.lab.first('fw2', 'vip', true, cut)?.t ?? owned;
    return { cut, takeover: on - cut };
  }

  /** The monitor's samples that stand for `action` forcing the VMAC: its admin state or its protodown. */
  what(action: CliAction): Sample['what'] {
    return action === 'admin' ? 'vmac' : 'protodown';
  }

  /** When fw1's VMAC was first forced down (admin down, or protodown on) at or after `since`. */
  forcedDownAt(action: CliAction, since: number): Sample | undefined {
    return this.lab.first('fw1', this.what(action), action === 'protodown', since);
  }

  /** When fw1's VMAC was first let up (admin up, or protodown off) at or after `since`. */
  releasedAt(action: CliAction, since: number): Sample | undefined {
    return this.lab.first('fw1', this.what(action), action === 'admin', since);
  }

  /** Is fw1's VMAC forced down now, as `action` forces it? */
  forcedDown(action: CliAction): boolean {
    return action === 'admin' ? this.lab.vmacAdmin('fw1') === 'down' : this.lab.vmacProtodown('fw1');
  }

  /** The destination as ifdepd's decision lines name it: protodown is spelled out. */
  decisionTarget(action: CliAction): string {
    return `${re(this.lab.vmac)}${action === 'protodown' ? ' \\(protodown\\)' : ''}`;
  }
}
