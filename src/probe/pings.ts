import { monotonicMs } from '../base/monotonic.js';
import type { Scheduler } from '../core/clock.js';
import type { PingSource } from '../core/sources/spec.js';
import type { Millis } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { SupervisedPing, type PingReport } from './ping-child.js';


export interface PingsDeps {
  /** The tool, from findPingTool(). */
  readonly tool: string;
  readonly log: Logger;
  readonly report: PingReport;
  /** Monotonic time and timers; real ones by default. */
  readonly clock?: Scheduler;
  /** Wall-clock epoch ms (to read the tool's -D stamps); Date.now by default. */
  readonly wall?: () => number;
  /** Runs a judgement after pending I/O; setImmediate by default (tests: at once). */
  readonly defer?: (call: () => void) => void;
  /** Put before the tool's argv: `ip netns exec NS` in tests. Nothing by default. */
  readonly wrap?: readonly string[];
  /** Between SIGTERM and SIGKILL when a child is stopped. Default 500 ms. */
  readonly killGrace?: Millis;
}

/** Real timers on the monotonic clock: a wall-clock step shortens no timeout. */
const realClock: Scheduler = {
  now: monotonicMs,
  after(delay, call) {
    const timer = setTimeout(call, delay);
    return { cancel: () => clearTimeout(timer) };
  },
};

/**
 * The ping sources' probes: one long-lived, supervised iputils ping child per probe,
 * whose output is read as answers and misses (see MissClock). No fork per request, no
 * shell. A child does not outlive the daemon: killed on close(), and should the daemon be
 * killed outright, its next line (one per interval, -O) meets a closed pipe: SIGPIPE.
 */
export class Pings {
  private readonly probes = new Map<string, SupervisedPing>();
  private closed = false;
  private readonly deps: ConstructorParameters<typeof SupervisedPing>[2];

  constructor(deps: PingsDeps) {
    this.deps = {
      tool: deps.tool,
      log: deps.log,
      report: deps.report,
      clock: deps.clock ?? realClock,
      wall: deps.wall ?? Date.now,
      defer: deps.defer ?? ((call) => void setImmediate(call)),
      wrap: deps.wrap ?? [],
      killGrace: deps.killGrace ?? 500,
    };
  }

  /**
   * Starts, keeps or restarts probes so that exactly these run (by sourceName). A probe
   * whose spec changed gets a new child under the same name: the daemon keeps its state.
   */
  reconcile(probes: ReadonlyMap<string, PingSource>): void {
    if (this.closed) return;
    for (const [name, probe] of this.probes) {
      if (probes.has(name)) continue;
      probe.close();
      this.probes.delete(name);
      this.deps.log.debug(`${name}: probe stopped (no longer configured)`);
    }
    for (const [name, spec] of probes) {
      const running = this.probes.get(name);
      if (running === undefined) this.probes.set(name, new SupervisedPing(name, spec, this.deps));
      else if (!sameSpec(running.spec, spec)) running.respec(spec);
    }
  }

  /** Kills every child (SIGTERM, then SIGKILL after a short grace), synchronously best-effort. */
  close(): void {
    this.closed = true;
    for (const probe of this.probes.values()) probe.close();
    this.probes.clear();
  }

  /** The pid of a probe's running child (status, tests). */
  pid(name: string): number | undefined {
    return this.probes.get(name)?.pid;
  }
}

function sameSpec(a: PingSource, b: PingSource): boolean {
  return (
    a.target.text === b.target.text &&
    a.target.family === b.target.family &&
    a.dev === b.dev &&
    a.interval === b.interval &&
    a.timeout === b.timeout &&
    a.down === b.down &&
    a.up === b.up
  );
}
