import { describe, expect, it } from 'vitest';
import { MonitorQueue, type MonitorLimits, type MonitorOut, type MonitorWording, type Timers } from '../../../src/control/monitor-queue.js';

/** A socket the test drains by hand: what was written, and how much it holds unsent. */
class FakeOut implements MonitorOut {
  readonly written: string[] = [];
  held = 0;
  last: string | undefined;
  write(data: string): void {
    this.written.push(data);
    this.held += Buffer.byteLength(data);
  }
  cut(last: string): void {
    this.last = last;
  }
  get writableLength(): number {
    return this.held;
  }
  /** The reader took everything. */
  drain(): void {
    this.held = 0;
  }
}

/** Timers fired by hand. */
class FakeTimers implements Timers {
  readonly pending: { ms: number; call: () => void; cancelled: boolean }[] = [];
  after(ms: number, call: () => void) {
    const t = { ms, call, cancelled: false };
    this.pending.push(t);
    return { cancel: () => (t.cancelled = true) };
  }
  fire(): void {
    for (const t of this.pending.splice(0)) if (!t.cancelled) t.call();
  }
  get armed(): number {
    return this.pending.filter((t) => !t.cancelled).length;
  }
}

const wording: MonitorWording = {
  lost: (count, first, last) => `lost ${count} ${first}-${last}\n`,
  cut: (lost, behindMs) => `cut ${lost} ${behindMs}\n`,
};

const LIMITS: MonitorLimits = { lines: 4, bytes: 1000, highWater: 10, behindMs: 5000 };

function setup(limits = LIMITS) {
  const out = new FakeOut();
  const timers = new FakeTimers();
  const cuts: number[] = [];
  const q = new MonitorQueue(out, wording, timers, limits, (lost) => cuts.push(lost));
  /** One event: its line is "e<seq>". */
  const offer = () => q.offer((seq) => `e${seq}\n`);
  return { out, timers, cuts, q, offer };
}

/** The sequence numbers of the event lines written, in order. */
const seqs = (lines: readonly string[]): number[] => lines.filter((l) => l.startsWith('e')).map((l) => Number(l.slice(1)));

describe('MonitorQueue', () => {
  it('writes at once while the socket holds less than highWater; numbers events from 1', () => {
    const { out, offer } = setup({ ...LIMITS, highWater: 1000 });
    for (let i = 0; i < 10; i++) offer();
    expect(seqs(out.written)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('holds lines back once the socket is full and sends them, in order, when it drains', () => {
    const { out, q, offer } = setup();
    for (let i = 0; i < 6; i++) offer(); // "eN\n" is 3 bytes: 4 go out (12 >= 10), then 2 wait
    expect(seqs(out.written)).toEqual([1, 2, 3, 4]);
    expect(q.backlog).toEqual({ lines: 2, bytes: 6, lost: 0 });
    out.drain();
    q.flush();
    expect(seqs(out.written)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(q.backlog.lines).toBe(0);
  });

  it('drops past the line limit, never encoding what it drops, and says "lost" exactly where the gap is', () => {
    const { out, q } = setup();
    const encoded: number[] = [];
    const offer = () => q.offer((seq) => (encoded.push(seq), `e${seq}\n`));
    for (let i = 0; i < 12; i++) offer(); // 4 written, 4 queued, 4 dropped
    expect(q.backlog).toMatchObject({ lines: 4, lost: 4 });
    expect(encoded).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    out.drain();
    q.flush(); // sends 5..8 (the socket is full again after 4)
    out.drain();
    q.flush(); // queue empty: the marker goes out now
    offer();
    out.drain();
    q.flush();
    expect(out.written).toEqual(['e1\n', 'e2\n', 'e3\n', 'e4\n', 'e5\n', 'e6\n', 'e7\n', 'e8\n', 'lost 4 9-12\n', 'e13\n']);
  });

  it('puts the marker before the next kept event when events come before the reader catches up', () => {
    const { out, q, offer } = setup();
    for (let i = 0; i < 10; i++) offer(); // 1-4 written, 5-8 queued, 9-10 lost
    out.drain();
    q.flush(); // 5-8 out; the socket is full: no marker yet
    offer(); // 11: the marker and 11 queue behind
    expect(q.backlog).toMatchObject({ lines: 2, lost: 0 });
    for (let i = 0; i < 2; i++) {
      out.drain();
      q.flush();
    }
    expect(out.written.slice(8)).toEqual(['lost 2 9-10\n', 'e11\n']);
  });

  it('drops past the byte limit too', () => {
    const { out, q } = setup({ ...LIMITS, lines: 100, bytes: 20 });
    for (let i = 0; i < 4; i++) q.offer((seq) => `e${seq}\n`);
    q.offer(() => `${'x'.repeat(30)}\n`);
    expect(q.backlog).toMatchObject({ lost: 1 });
    expect(out.written).toHaveLength(4);
  });

  it('cuts a reader still behind behindMs after its first loss, with a last line, once', () => {
    const { out, timers, cuts, q, offer } = setup();
    for (let i = 0; i < 20; i++) offer();
    expect(timers.armed).toBe(1); // one timer, however many are lost
    timers.fire();
    expect(out.last).toBe('cut 12 5000\n');
    expect(cuts).toEqual([12]);
    offer();
    q.flush();
    expect(out.written).toHaveLength(4); // closed: nothing more
  });

  it('a reader that catches up is not cut', () => {
    const { out, timers, cuts, q, offer } = setup();
    for (let i = 0; i < 10; i++) offer();
    for (let i = 0; i < 3; i++) {
      out.drain();
      q.flush();
    }
    expect(timers.armed).toBe(0);
    timers.fire();
    expect(cuts).toEqual([]);
    expect(out.last).toBeUndefined();
    expect(out.written).toContain('lost 2 9-10\n');
  });

  it('close() drops what is held back and disarms the cut', () => {
    const { out, timers, q, offer } = setup();
    for (let i = 0; i < 10; i++) offer();
    q.close();
    out.drain();
    q.flush();
    expect(timers.armed).toBe(0);
    expect(out.written).toHaveLength(4);
  });
});
