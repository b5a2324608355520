// One run of the demo: the namespace, the two witnesses (kernel and ifdepd) wired into
// the timeline, and the actions the script takes. Knows how to tear all of it down,
// gently at the end of a run, at once when interrupted.
import { sleep, wallNow } from './clock.js';
import { KernelMonitor, type KernelEvent, type Watched } from './kernel-monitor.js';
import { IpBatch } from './ip-batch.js';
import { DemoNetns } from './netns.js';
import { Timeline } from './timeline.js';
import { DESTINATIONS, UPLINKS, watchdogArgs } from './topology.js';
import { WatchdogProcess } from './watchdog-process.js';

/** How long ifdepd may take to read the interfaces and take its first decision. */
const START_TIMEOUT_MS = 10_000;

export class DemoSession {
  watchdog: WatchdogProcess | undefined;
  private readonly batches: IpBatch[] = [];

  private constructor(
    readonly netns: DemoNetns,
    readonly monitor: KernelMonitor,
    readonly timeline: Timeline,
  ) {}

  /**
   * The namespace first, then its witness, then the interfaces: the monitor sees each
   * interface being created, so it knows every starting state, and nothing the demo
   * does later can happen before it listens.
   */
  static async open(netns: DemoNetns, t0: number): Promise<DemoSession> {
    const watched = new Map<string, Watched>([
      ...UPLINKS.map((name) => [name, 'carrier'] as const),
      ...DESTINATIONS.map((name) => [name, 'admin'] as const),
    ]);
    const monitor = await KernelMonitor.start(netns.name, watched);
    const session = new DemoSession(netns, monitor, new Timeline(t0));
    session.timeline.add({ t: wallNow(), who: 'demo', text: `build the lab in ${netns.name}` });
    netns.build();
    monitor.onEvent((e) => session.timeline.add({ t: e.t, who: 'kernel', text: describeKernelEvent(e) }));
    return session;
  }

  /** Starts the real ifdepd and waits for its first decision; returns its command line for the record. */
  async startWatchdog(): Promise<void> {
    const args = watchdogArgs();
    const t = wallNow();
    this.timeline.add({ t, who: 'demo', text: `start: ip netns exec ${this.netns.name} ifdepd ${args.join(' ')}` });
    const watchdog = WatchdogProcess.start(this.netns.name, args);
    this.watchdog = watchdog;
    watchdog.onLine((e) => this.timeline.add({ t: e.t, who: 'ifdepd', text: e.text }));
    const ready = await watchdog.waitFor(/at start .* -> destinations \S+ (up|down)/, t, START_TIMEOUT_MS);
    if (ready === undefined) {
      this.timeline.flush();
      const why = watchdog.alive ? `no start-up decision within ${START_TIMEOUT_MS / 1000} s` : 'it exited';
      throw new Error(`ifdepd did not start: ${why}`);
    }
  }

  /**
   * Runs one `ip` command in the lab and puts it on the timeline; returns when it was
   * issued. Through `batch` when given: no process start between issuing and doing.
   */
  act(what: string, ipArgs: readonly string[], batch?: IpBatch): number {
    const t = wallNow();
    this.timeline.add({ t, who: 'demo', text: `${what}: ip ${ipArgs.join(' ')}` });
    if (batch !== undefined) batch.send(ipArgs);
    else this.netns.ip(...ipArgs);
    return t;
  }

  /** An `ip -batch` in the lab, killed with it if the run is cut short. */
  batch(): IpBatch {
    const batch = IpBatch.open(this.netns.name);
    this.batches.push(batch);
    return batch;
  }

  /** When the kernel reported `name` reaching `on` (carrier on / admin up) from `since`, waiting up to `timeout`. */
  async kernelSaw(name: string, on: boolean, since: number, timeout: number): Promise<number | undefined> {
    const deadline = wallNow() + timeout;
    for (;;) {
      const t = this.monitor.firstAt(name, on, since);
      if (t !== undefined || wallNow() > deadline) return t;
      await sleep(5);
    }
  }

  /** When each destination was reported admin `on` from `since`; missing names did not get there in time. */
  async destinationsReach(on: boolean, since: number, timeout: number): Promise<Map<string, number>> {
    const reached = new Map<string, number>();
    await Promise.all(
      DESTINATIONS.map(async (name) => {
        const t = await this.kernelSaw(name, on, since, timeout);
        if (t !== undefined) reached.set(name, t);
      }),
    );
    return reached;
  }

  /** Destination changes reported from `since`: what must not happen in a quiet step. */
  destinationChanges(since: number): KernelEvent[] {
    return DESTINATIONS.flatMap((name) => this.monitor.of(name, since));
  }

  /** The end of a run: ifdepd stopped as an init system would, the witness, then the lab unless kept. */
  async close(keep: boolean): Promise<void> {
    await this.watchdog?.stop();
    this.monitor.stop();
    if (!keep) this.netns.delete();
  }

  /** Interrupted or failed: nothing awaited, so that it also works from a signal or exit handler. */
  abort(keep: boolean): void {
    this.watchdog?.kill();
    for (const batch of this.batches) batch.kill();
    this.monitor.stop();
    if (!keep) this.netns.delete();
  }
}

export function describeKernelEvent(e: KernelEvent): string {
  if (e.watched === 'carrier') return `${e.name} ${e.on ? 'has carrier' : 'lost carrier'}`;
  return `${e.name} admin ${e.on ? 'up' : 'down'}`;
}
