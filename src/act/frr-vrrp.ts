import { net } from '../base/lazy-builtins.js';
import type { Scheduler, Timer } from '../core/clock.js';
import { formatDuration } from '../core/duration.js';
import type { FrrVrrpAction } from '../core/spec.js';
import type { FrrVrrpStatus } from '../core/status.js';
import type { Decision } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { FailureRecord, type FailedAttempt } from './failure.js';
import { VtyError, vtyCommands } from './frr-vty.js';

/** One session's time limit: vrrpd answers in milliseconds, a stuck one must not hold the group. */
const SESSION_TIMEOUT_MS = 2000;
/**
 * How often vrrpd is checked again once in line. A restarted vrrpd comes back with its
 * configuration file's state (not shut down, full priority), and an operator's vtysh can
 * change it too: this is how long such a change can last. A check that finds nothing to
 * do is one read-only `show` command.
 */
export const FRR_RECHECK_MS = 5000;

/** The part of `show vrrp interface IF VRID json` that matters here. */
interface VrrpJson {
  readonly shutdown?: boolean;
  readonly v4?: { readonly status?: string; readonly effectivePriority?: number };
}

/**
 * The FRR VRRP instance of one group. vrrpd does not react when its macvlan goes down
 * (it stays Master; the peer takes over only when the adverts stop, after the
 * master-down interval). Told `vrrp VRID shutdown`, a Master sends a priority-0 advert
 * and the peer takes over after its skew time; told a lower priority, it keeps
 * advertising and loses to a healthier peer, or stays Master when the peer was demoted
 * as well (both uplinks down).
 *
 * Every session first reads the instance's state and changes it only when it differs:
 * vrrpd would create an instance that does not exist (`vrrp 9 shutdown` makes VRID 9),
 * and a check that finds it in line changes nothing and logs nothing.
 */
export class FrrVrrp {
  private wanted?: Decision;
  private busy = false;
  private readonly failure = new FailureRecord();
  private applied?: Decision;
  private seen?: string;
  private timer?: Timer;
  private closed = false;

  constructor(
    readonly action: FrrVrrpAction,
    private readonly group: string,
    private readonly log: Logger,
    private readonly dryRun: boolean,
    private readonly scheduler: Scheduler,
  ) {
    // Loaded with the configuration that asks for it, not by the first failover (base/lazy-builtins.ts).
    net();
  }

  /** "lan0 vrrp 5" */
  get instance(): string {
    return `${this.action.interface} vrrp ${this.action.vrid}`;
  }

  /** Brings vrrpd in line with the decision (again): at start, on every change, on reload and SIGHUP. */
  set(decision: Decision): void {
    this.wanted = decision;
    if (this.dryRun) {
      this.log.notice(`dry-run: would tell vrrpd: ${this.command(decision)} on ${this.action.interface}`);
      return;
    }
    this.timer?.cancel();
    this.timer = undefined;
    void this.flush();
  }

  status(wanted: Decision): FrrVrrpStatus {
    const failing = this.failure.status(this.scheduler.now());
    return {
      instance: this.instance,
      group: this.group,
      wanted,
      ...(this.applied !== undefined ? { applied: this.applied } : {}),
      ...(this.seen !== undefined ? { seen: this.seen } : {}),
      ...(failing !== undefined ? { failing } : {}),
    };
  }

  close(): void {
    this.closed = true;
    this.timer?.cancel();
  }

  /** The configuration command that says `decision`. */
  private command(decision: Decision): string {
    const { vrid, mode } = this.action;
    if (mode.kind === 'shutdown') return decision === 'down' ? `vrrp ${vrid} shutdown` : `no vrrp ${vrid} shutdown`;
    return `vrrp ${vrid} priority ${decision === 'down' ? mode.down : mode.up}`;
  }

  private async flush(): Promise<void> {
    if (this.busy || this.closed) return;
    this.busy = true;
    const decision = this.wanted;
    let wait = FRR_RECHECK_MS;
    try {
      if (decision === undefined) return;
      const started = this.scheduler.now();
      const changed = await this.apply(decision);
      this.applied = decision;
      const failed = this.failure.cleared();
      const took = Math.round(this.scheduler.now() - started);
      if (changed) this.log.info(`${this.group}: told vrrpd: ${this.command(decision)} on ${this.action.interface} (${took} ms)`);
      if (failed > 0) this.log.notice(`${this.group}: vrrpd ${this.instance} in line after ${failed + 1} attempts`);
    } catch (err) {
      const a = this.failure.failed(err, decision ?? 'up', this.scheduler.now());
      if (a.say) this.log[a.attempts > 1 ? 'error' : 'warning'](this.failureLine(a));
      wait = a.wait;
    } finally {
      this.busy = false;
    }
    if (this.closed) return;
    // A decision that changed during the session is applied next, at once.
    if (this.wanted !== decision) {
      void this.flush();
      return;
    }
    this.timer = this.scheduler.after(wait, () => {
      this.timer = undefined;
      void this.flush();
    });
  }

  /** Reads the instance; changes it if it is not in line. Returns whether it changed it. */
  private async apply(decision: Decision): Promise<boolean> {
    const { socket, interface: ifname, vrid, mode } = this.action;
    const [json] = await vtyCommands(socket, [`show vrrp interface ${ifname} ${vrid} json`], SESSION_TIMEOUT_MS);
    const found = parseInstance(json ?? '');
    if (found === undefined) {
      this.seen = undefined;
      throw new VtyError(`vrrpd has no VRRP instance ${vrid} on ${ifname} (its configuration must have one)`, 'ENOENT');
    }
    const priority = found.v4?.effectivePriority;
    this.seen = found.shutdown === true ? 'shut down' : `${found.v4?.status ?? '?'}, priority ${priority ?? '?'}`;
    const inLine =
      mode.kind === 'shutdown' ? found.shutdown === (decision === 'down') : priority === (decision === 'down' ? mode.down : mode.up);
    if (inLine) return false;
    await vtyCommands(socket, ['enable', 'configure terminal', `interface ${ifname}`, this.command(decision), 'end'], SESSION_TIMEOUT_MS);
    this.seen = undefined;
    return true;
  }

  private failureLine(a: FailedAttempt): string {
    const still = a.attempts > 1 ? `still cannot tell vrrpd after ${a.attempts} attempts` : 'cannot tell vrrpd';
    return `${this.group}: ${still}: ${this.command(this.wanted ?? 'up')} on ${this.action.interface}: ${a.error}; retrying in ${formatDuration(a.wait)}`;
  }
}

/** The one instance in `show vrrp interface IF VRID json` (an array), or undefined when there is none. */
function parseInstance(text: string): VrrpJson | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new VtyError(`vrrpd's answer is not JSON: ${text.slice(0, 80)}`, 'EPROTO');
  }
  if (!Array.isArray(parsed)) throw new VtyError('vrrpd\'s answer is not a list of instances', 'EPROTO');
  const first: unknown = parsed[0];
  return typeof first === 'object' && first !== null ? (first as VrrpJson) : undefined;
}
