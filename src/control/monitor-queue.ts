/** Where a monitor's lines go: the client's socket (monitor-session.ts), or a test's buffer. */
export interface MonitorOut {
  /** Bytes accepted by write() and not yet taken by the kernel. */
  readonly writableLength: number;
  write(data: string): void;
  /** Says `last` if it can, then hangs up. */
  cut(last: string): void;
}

/** How the lines of a marker or a cut are worded (JSON or text, event-encoding.ts). */
export interface MonitorWording {
  /** Events firstSeq..lastSeq were dropped. */
  lost(count: number, firstSeq: number, lastSeq: number): string;
  /** The last line before the daemon hangs up on a reader that stayed behind. */
  cut(lost: number, behindMs: number): string;
}

export interface MonitorLimits {
  /** Lines and bytes a connection may hold back for a slow reader; past either, events are dropped. */
  readonly lines: number;
  readonly bytes: number;
  /** Written to the socket before lines are held back in the queue instead. */
  readonly highWater: number;
  /** A reader still losing events this long after it lost the first is cut. */
  readonly behindMs: number;
}

/** At most about 1 MiB and 64 KiB in the socket per monitor; 16 connections at most in all. */
export const MONITOR_LIMITS: MonitorLimits = { lines: 4096, bytes: 1024 * 1024, highWater: 64 * 1024, behindMs: 10_000 };

export interface Timers {
  after(ms: number, call: () => void): { cancel(): void };
}

/**
 * One monitor's outgoing lines. Never waits and never blocks the daemon: a line goes to
 * the socket at once while the socket holds less than highWater; then it is queued; a
 * full queue drops the event and counts it. The reader then gets one `lost N events`
 * line where the gap is (sequence numbers show it too). A reader that has not caught up
 * behindMs after its first loss is told so and cut.
 */
export class MonitorQueue {
  private readonly queue: string[] = [];
  private head = 0;
  private bytes = 0;
  private seq = 0;
  private lost = 0;
  private firstLost = 0;
  private lostTotal = 0;
  private behind: { cancel(): void } | undefined;
  private closed = false;

  constructor(
    private readonly out: MonitorOut,
    private readonly wording: MonitorWording,
    private readonly timers: Timers,
    private readonly limits: MonitorLimits = MONITOR_LIMITS,
    /** The reader was cut: the caller unsubscribes and says so in the log. */
    private readonly onCut: (lost: number) => void = () => undefined,
  ) {}

  /** Lines held back, and events dropped since the last marker. */
  get backlog(): { readonly lines: number; readonly bytes: number; readonly lost: number } {
    return { lines: this.queue.length - this.head, bytes: this.bytes, lost: this.lost };
  }

  /** One event: `encode` is called with its sequence number only if the line is kept. */
  offer(encode: (seq: number) => string): void {
    if (this.closed) return;
    const seq = ++this.seq;
    if (this.caughtUp() && this.out.writableLength < this.limits.highWater) {
      this.out.write(encode(seq));
      return;
    }
    if (this.queue.length - this.head + (this.lost > 0 ? 1 : 0) >= this.limits.lines) return this.drop(seq);
    const line = encode(seq);
    const marker = this.lost > 0 ? this.marker() : '';
    if (this.bytes + Buffer.byteLength(line) + Buffer.byteLength(marker) > this.limits.bytes) return this.drop(seq);
    if (marker !== '') {
      this.push(marker);
      this.lost = 0;
    }
    this.push(line);
    this.flush();
  }

  /** The socket took what it had ('drain'): more goes out. */
  flush(): void {
    while (!this.closed && this.head < this.queue.length && this.out.writableLength < this.limits.highWater) {
      const line = this.queue[this.head]!;
      this.queue[this.head++] = '';
      this.bytes -= Buffer.byteLength(line);
      this.out.write(line);
    }
    if (this.head === this.queue.length) {
      this.queue.length = 0;
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue.splice(0, this.head);
      this.head = 0;
    }
    if (this.closed || this.head < this.queue.length) return;
    // Everything held back went out: the gap is said now rather than at the next event.
    if (this.lost > 0 && this.out.writableLength < this.limits.highWater) {
      this.out.write(this.marker());
      this.lost = 0;
    }
    if (this.lost === 0) this.caughtUpAgain();
  }

  close(): void {
    this.closed = true;
    this.behind?.cancel();
    this.behind = undefined;
    this.queue.length = 0;
    this.head = 0;
    this.bytes = 0;
  }

  private caughtUp(): boolean {
    return this.head === this.queue.length && this.lost === 0;
  }

  private push(line: string): void {
    this.queue.push(line);
    this.bytes += Buffer.byteLength(line);
  }

  private drop(seq: number): void {
    if (this.lost === 0) this.firstLost = seq;
    this.lost += 1;
    this.lostTotal += 1;
    this.behind ??= this.timers.after(this.limits.behindMs, () => this.cut());
  }

  private marker(): string {
    return this.wording.lost(this.lost, this.firstLost, this.firstLost + this.lost - 1);
  }

  private caughtUpAgain(): void {
    this.behind?.cancel();
    this.behind = undefined;
  }

  private cut(): void {
    this.behind = undefined;
    if (this.closed) return;
    const lost = this.lostTotal;
    this.close();
    this.out.cut(this.wording.cut(lost, this.limits.behindMs));
    this.onCut(lost);
  }
}
