import type { Reread } from '../core/events.js';
import { healthChanged } from '../core/health.js';
import { pingVerdict, type SourceView } from '../core/sources/health.js';
import { INITIAL_PING, observePing, type PingObservation, type PingState } from '../core/sources/ping-state.js';
import { sourceName, type PingSource, type SourceSpec } from '../core/sources/spec.js';
import type { GroupSpec } from '../core/spec.js';
import { localClockText } from './timers.js';
import { RouteAddressSync, type RouteAddressDeps } from './route-address-sync.js';

/** Runs the ping sources' probes (src/probe): one child per probe, reporting answers and misses. */
export interface PingRunner {
  reconcile(probes: ReadonlyMap<string, PingSource>): void;
  close(): void;
}
export type PingReport = (name: string, spec: PingSource, seen: PingObservation) => void;
export type PingRunnerFactory = (report: PingReport) => PingRunner;

export interface SourceSyncDeps extends Omit<RouteAddressDeps, 'changed'> {
  /** The probes `affected` picks may read differently now: their groups look again. */
  readonly changed: (affected: (name: string, probe: SourceSpec) => boolean) => void;
  /** Starts the ping probes; absent where no ping source can run (tests of other sources). */
  readonly pings?: PingRunnerFactory;
}

/**
 * What route, address and ping sources read (the core's SourceView): the route and address
 * tables kept by RouteAddressSync, and each ping source's state, folded from its probe's
 * reports by the core (core/sources/ping-state.ts).
 */
export class SourceSync implements SourceView {
  private readonly kernelSide: RouteAddressSync;
  private readonly states = new Map<string, PingState>();
  private pingSpecs = new Map<string, PingSource>();
  private runner?: PingRunner;
  /** Evidence gives times in local time, as syslog stamps the lines it is compared with. */
  readonly clockText = localClockText;

  constructor(private readonly deps: SourceSyncDeps) {
    // Every route and address source, of the groups running when the change is read.
    this.kernelSide = new RouteAddressSync({ ...deps, changed: () => this.deps.changed((_, probe) => probe.kind !== 'ping') });
  }

  get routes(): RouteAddressSync['routes'] {
    return this.kernelSide.routes;
  }

  get addresses(): RouteAddressSync['addresses'] {
    return this.kernelSide.addresses;
  }

  ping(name: string): PingState | undefined {
    return this.states.get(name);
  }

  /** Whether every interface's changes matter (a route source without `dev`). */
  get watchesAllLinks(): boolean {
    return this.kernelSide.watchesAllLinks;
  }

  /**
   * The probes of a configuration, at start and on reload: each kept by name, the rest
   * started or stopped. What can refuse (no ping tool, a failed dump) does so first.
   */
  async configure(groups: readonly GroupSpec[]): Promise<void> {
    const probes = new Map<string, SourceSpec>();
    for (const g of groups) for (const p of g.otherSources ?? []) probes.set(sourceName(p), p);
    const of = <K extends SourceSpec['kind']>(kind: K) =>
      [...probes].filter((e): e is [string, Extract<SourceSpec, { kind: K }>] => e[1].kind === kind);
    const pings = new Map(of('ping'));
    if (pings.size > 0) this.runner ??= this.startPings();
    await this.kernelSide.configure(of('route').map(([, p]) => p), of('address').map(([, p]) => p));
    this.pingSpecs = pings;
    for (const name of [...this.states.keys()]) if (!pings.has(name)) this.states.delete(name);
    // A new ping source's first verdict is awaited from now (core/group.ts: its groups wait, down wins).
    const now = this.deps.scheduler.now();
    for (const name of pings.keys()) if (!this.states.has(name)) this.states.set(name, { ...INITIAL_PING, configuredAt: now });
    this.runner?.reconcile(pings);
  }

  /** Interfaces changed: routes through one that went away are dropped, and route sources look again. */
  linksChanged(): void {
    this.kernelSide.linksChanged();
  }

  resync(why: Reread): Promise<void> {
    return this.kernelSide.active ? this.kernelSide.resync(why) : Promise.resolve();
  }

  close(): void {
    this.kernelSide.close();
    this.runner?.close();
    this.runner = undefined;
  }

  private startPings(): PingRunner {
    if (this.deps.pings === undefined) throw new Error('ping sources configured, but no ping tool was set up');
    return this.deps.pings((name, spec, seen) => this.observe(name, spec, seen));
  }

  private observe(name: string, spec: PingSource, seen: PingObservation): void {
    if (!this.pingSpecs.has(name)) return;
    const before = this.states.get(name) ?? INITIAL_PING;
    const after = observePing(before, seen, spec);
    this.states.set(name, after);
    if (healthChanged(pingVerdict(spec, before), pingVerdict(spec, after))) this.deps.changed((other) => other === name);
  }
}
