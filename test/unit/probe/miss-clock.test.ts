import { describe, expect, it } from 'vitest';
import { driftAllowance, JUDGE_GRACE, MissClock } from '../../../src/probe/miss-clock.js';
import type { PingLine } from '../../../src/probe/ping-line.js';
import { fakeScheduler } from '../../support/fake-scheduler.js';

const EPOCH = 1_800_000_000_000;

/**
 * A MissClock on a fake clock, fed by a simulated iputils ping: request k is sent at
 * `start + (k-1) * real` (the tool's own, slightly long interval); `rtt(k)` is its answer's
 * round trip, or undefined for none. Like ping -O, a request unanswered when the next is
 * sent gets a "no answer yet" line. `until` ends the tool's output (a hang or a death).
 */
function run(opts: {
  interval: number;
  timeout: number;
  rtt: (k: number) => number | undefined;
  real?: number;
  start?: number;
  until: number;
  sends?: (k: number) => number;
  dup?: (k: number) => boolean;
}) {
  const fake = fakeScheduler();
  const seen: Array<{ t: number; kind: string; seq?: number }> = [];
  const clock = new MissClock({
    interval: opts.interval,
    timeout: opts.timeout,
    clock: fake.scheduler,
    wall: () => EPOCH + fake.scheduler.now(),
    defer: (call) => call(),
    emit: (o) => seen.push({ t: fake.scheduler.now(), kind: o.kind }),
  });
  const real = opts.real ?? opts.interval * 1.024;
  const sendAt = opts.sends ?? ((k: number) => (opts.start ?? 3) + (k - 1) * real);
  const lines: Array<[number, PingLine]> = [];
  for (let k = 1; sendAt(k) < opts.until; k++) {
    const sent = sendAt(k);
    const rtt = opts.rtt(k);
    const seq = k & 0xffff;
    if (rtt !== undefined && sent + rtt < opts.until) {
      lines.push([sent + rtt, { kind: 'reply', at: EPOCH + sent + rtt, seq, rttMs: rtt, counts: true }]);
      if (opts.dup?.(k)) lines.push([sent + rtt + 1, { kind: 'reply', at: EPOCH + sent + rtt + 1, seq, rttMs: rtt + 1, counts: false }]);
    }
    const next = sendAt(k + 1);
    if ((rtt === undefined || sent + rtt > next) && next < opts.until) lines.push([next, { kind: 'no-answer', at: EPOCH + next, seq }]);
  }
  for (const [t, line] of lines) fake.scheduler.after(t, () => clock.line(line));
  return { fake, seen, clock, sendAt };
}

const count = (seen: ReadonlyArray<{ kind: string }>, kind: string) => seen.filter((s) => s.kind === kind).length;

describe('MissClock', () => {
  it('answers in time are answers, and nothing is missed, though the tool drifts', () => {
    const { fake, seen } = run({ interval: 1000, timeout: 1000, rtt: () => 2, until: 60_000 });
    fake.advance(60_000);
    expect(count(seen, 'missed')).toBe(0);
    expect(count(seen, 'answer')).toBe(59); // sent at 3 + (k-1) * 1024 ms before 60 s
  });

  it('a fast interval with answers near the timeout: no false miss', () => {
    const { fake, seen } = run({ interval: 100, timeout: 100, rtt: () => 99, until: 20_000 });
    fake.advance(20_000);
    expect(count(seen, 'missed')).toBe(0);
  });

  it('a gateway that stops answering: a miss per request, the third within 2 intervals + timeout of the first silent send', () => {
    const interval = 1000;
    const timeout = 1000;
    const { fake, seen, sendAt } = run({ interval, timeout, rtt: (k) => (k <= 5 ? 1 : undefined), until: 30_000 });
    fake.advance(30_000);
    const misses = seen.filter((s) => s.kind === 'missed');
    expect(count(seen, 'answer')).toBe(5);
    // Request 6 is the first unanswered; its miss comes at its deadline (predicted send, grace, drift).
    expect(misses[0]!.t).toBeGreaterThanOrEqual(sendAt(6) + timeout);
    expect(misses[0]!.t).toBeLessThanOrEqual(sendAt(6) + timeout + JUDGE_GRACE + driftAllowance(interval));
    expect(misses[2]!.t).toBeLessThanOrEqual(sendAt(8) + timeout + JUDGE_GRACE + driftAllowance(interval));
    // One miss per request sent, never more.
    const sent = Array.from({ length: 40 }, (_, i) => i + 1).filter((k) => k > 5 && sendAt(k) + timeout + JUDGE_GRACE < 30_000).length;
    expect(misses.length).toBeGreaterThanOrEqual(sent - 1);
    expect(misses.length).toBeLessThanOrEqual(sent + 1);
  });

  it('a late answer is one miss, whether it comes before or after the timer', () => {
    // timeout 500: request 3 answered after 530 ms (before the timer: grace), request 5 after 800 ms.
    const { fake, seen } = run({ interval: 1000, timeout: 500, rtt: (k) => (k === 3 ? 530 : k === 5 ? 800 : 1), until: 8_000 });
    fake.advance(8_000);
    expect(count(seen, 'missed')).toBe(2);
    expect(count(seen, 'answer')).toBe(6); // 8 sent
  });

  it('a timeout longer than the interval: a slow answer still counts, several requests in flight', () => {
    const { fake, seen } = run({ interval: 100, timeout: 1000, rtt: (k) => (k % 5 === 0 ? 900 : 3), until: 10_000 });
    fake.advance(10_000);
    expect(count(seen, 'missed')).toBe(0);
    expect(count(seen, 'answer')).toBeGreaterThan(90);
  });

  it('duplicates do not count twice', () => {
    const { fake, seen } = run({ interval: 100, timeout: 100, rtt: () => 1, dup: () => true, until: 1_000 });
    fake.advance(1_000);
    expect(count(seen, 'answer')).toBe(10);
  });

  it('a tool that falls silent (hung, dead) yields a miss about every interval', () => {
    const { fake, seen } = run({ interval: 1000, timeout: 1000, rtt: () => 1, until: 5_000 });
    fake.advance(5_000);
    const answers = count(seen, 'answer');
    fake.advance(20_000);
    const misses = seen.filter((s) => s.kind === 'missed');
    expect(answers).toBe(5);
    expect(misses.length).toBeGreaterThanOrEqual(18);
    expect(misses.length).toBeLessThanOrEqual(21);
    expect(misses[2]!.t).toBeLessThan(5_000 + 3 * 1000 + 1000 + 400);
  });

  it('sequence numbers wrap at 16 bits', () => {
    // Driven by hand: the clock has one timer at a time, and 65,540 requests are too many for fakeScheduler.
    let now = 0;
    let due: { at: number; call: () => void } | undefined;
    const seen: string[] = [];
    const clock = new MissClock({
      interval: 100,
      timeout: 100,
      clock: { now: () => now, after: (delay, call) => ((due = { at: now + delay, call }), { cancel: () => (due = undefined) }) },
      wall: () => EPOCH + now,
      defer: (call) => call(),
      emit: (o) => seen.push(o.kind),
    });
    const until = (t: number) => {
      while (due !== undefined && due.at <= t) {
        now = due.at;
        const { call } = due;
        due = undefined;
        call();
      }
      now = t;
    };
    for (let k = 1; k <= 65_540; k++) {
      const sent = 3 + (k - 1) * 102;
      until(sent + 1);
      clock.line({ kind: 'reply', at: EPOCH + sent + 1, seq: k & 0xffff, rttMs: 1, counts: true });
    }
    until(65_540 * 102);
    expect(seen.filter((s) => s === 'missed').length).toBe(0);
    expect(seen.length).toBe(65_540);
  });

  it('a tool that stalled (SIGSTOP) and goes on: misses meanwhile, then its answers count again', () => {
    // Requests 1-5 every second, then nothing for 10 s, then on again from request 6.
    const sends = (k: number) => (k <= 5 ? (k - 1) * 1000 : 14_000 + (k - 6) * 1000);
    const { fake, seen } = run({ interval: 1000, timeout: 1000, rtt: () => 1, until: 30_000, sends });
    fake.advance(14_000);
    expect(count(seen, 'missed')).toBeGreaterThanOrEqual(8);
    const missed = count(seen, 'missed');
    fake.advance(16_000);
    expect(count(seen, 'missed')).toBe(missed);
    expect(count(seen, 'answer')).toBe(5 + 16);
  });

  it('after a stall, a gateway that does not answer still yields misses at once', () => {
    const sends = (k: number) => (k <= 5 ? (k - 1) * 1000 : 14_000 + (k - 6) * 1000);
    const { fake, seen } = run({ interval: 1000, timeout: 1000, rtt: (k) => (k <= 5 ? 1 : undefined), until: 30_000, sends });
    fake.advance(14_000);
    const before = count(seen, 'missed');
    fake.advance(5_000);
    // Requests 6..9 sent from 14 s: at least three judged missed by 19 s.
    expect(count(seen, 'missed') - before).toBeGreaterThanOrEqual(3);
  });

  it('a judgement waits for output already read: the answer wins over its own deadline', () => {
    const fake = fakeScheduler();
    const queued: Array<() => void> = [];
    const seen: string[] = [];
    const clock = new MissClock({
      interval: 1000,
      timeout: 1000,
      clock: fake.scheduler,
      wall: () => EPOCH + fake.scheduler.now(),
      defer: (call) => void queued.push(call),
      emit: (o) => seen.push(o.kind),
    });
    clock.line({ kind: 'header' });
    fake.advance(5_000); // the event loop was busy: the timer is due
    clock.line({ kind: 'reply', at: EPOCH + 990, seq: 1, rttMs: 990, counts: true }); // read in the same turn
    for (const call of queued.splice(0)) call();
    expect(seen[0]).toBe('answer');
    clock.stop();
    fake.advance(10_000);
    for (const call of queued.splice(0)) call();
    expect(seen.filter((s) => s === 'missed').length).toBeLessThanOrEqual(4);
  });

  it('stop() ends every judgement', () => {
    const { fake, seen, clock } = run({ interval: 100, timeout: 100, rtt: () => undefined, until: 100 });
    clock.stop();
    fake.advance(10_000);
    expect(seen).toEqual([]);
  });
});
