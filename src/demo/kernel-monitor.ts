// The kernel's own account of what happened, independent of ifdepd: `ip monitor`
// subscribes to the same rtnetlink notifications and stamps each with its arrival
// time to the microsecond. The demo believes this witness, not ifdepd's log, when it
// says whether and when a destination went down.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { sleep } from './clock.js';
import { parseLinkLine, type LinkLine } from './link-line.js';

/** What the demo watches on each interface: carrier on sources, admin state on destinations. */
export type Watched = 'carrier' | 'admin';

export interface KernelEvent {
  readonly t: number;
  readonly name: string;
  readonly watched: Watched;
  /** true: carrier on / admin up. */
  readonly on: boolean;
}

export class KernelMonitor {
  readonly events: KernelEvent[] = [];
  private readonly last = new Map<string, boolean>();
  private buffer = '';
  private sawMarker = false;
  private listener: ((e: KernelEvent) => void) | undefined;

  private constructor(
    private readonly proc: ChildProcess,
    private readonly watched: ReadonlyMap<string, Watched>,
  ) {
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => this.feed(chunk));
  }

  /** Starts `ip monitor` in the namespace and returns once it provably receives notifications. */
  static async start(ns: string, watched: ReadonlyMap<string, Watched>): Promise<KernelMonitor> {
    const proc = spawn('ip', ['-n', ns, '-o', '-ts', 'monitor', 'link'], { stdio: ['ignore', 'pipe', 'ignore'] });
    const monitor = new KernelMonitor(proc, watched);
    await monitor.untilSubscribed(ns);
    return monitor;
  }

  get pid(): number | undefined {
    return this.proc.pid;
  }

  /** Called for every change of a watched state, as it arrives. */
  onEvent(listener: (e: KernelEvent) => void): void {
    this.listener = listener;
  }

  /** The watched changes of `name` from `since` on. */
  of(name: string, since: number): KernelEvent[] {
    return this.events.filter((e) => e.name === name && e.t >= since);
  }

  /** The first time `name` was reported in state `on` from `since` on. */
  firstAt(name: string, on: boolean, since: number): number | undefined {
    return this.of(name, since).find((e) => e.on === on)?.t;
  }

  stop(): void {
    if (this.proc.exitCode === null && this.proc.signalCode === null) this.proc.kill('SIGKILL');
  }

  /**
   * ip gives no sign that its subscription is in place: change something harmless
   * (an alias on lo) until a notification about it comes back. Only then can an
   * action of the demo not outrun its witness.
   */
  private async untilSubscribed(ns: string): Promise<void> {
    const marker = `ifdepd-demo-${randomBytes(4).toString('hex')}`;
    for (let tries = 0; tries < 100 && !this.sawMarker; tries++) {
      if (this.proc.exitCode !== null) throw new Error(`ip monitor exited with status ${this.proc.exitCode}`);
      spawnSync('ip', ['-n', ns, 'link', 'set', 'dev', 'lo', 'alias', marker], { stdio: 'ignore' });
      await sleep(50);
    }
    if (!this.sawMarker) throw new Error('ip monitor reported nothing within 5 s');
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    for (const line of lines) {
      const link = parseLinkLine(line);
      if (link === undefined) continue;
      if (link.name === 'lo') this.sawMarker = true;
      this.record(link);
    }
  }

  /** Notifications repeat states (statistics, operstate): only changes are events. */
  private record(link: LinkLine): void {
    const watched = this.watched.get(link.name);
    if (watched === undefined) return;
    const on = !link.deleted && (watched === 'carrier' ? link.lowerUp : link.up);
    const before = this.last.get(link.name);
    this.last.set(link.name, on);
    // The first notification only tells the state the lab was built with.
    if (before === undefined || before === on) return;
    const event: KernelEvent = { t: link.t, name: link.name, watched, on };
    this.events.push(event);
    this.listener?.(event);
  }
}
