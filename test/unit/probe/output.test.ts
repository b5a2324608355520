import { describe, expect, it } from 'vitest';
import { parseAddress } from '../../../src/core/sources/ip.js';
import { PING_DEFAULTS, type PingSource } from '../../../src/core/sources/spec.js';
import { Backoff, LineSplitter, StderrTail } from '../../../src/probe/output.js';
import { pingArgs } from '../../../src/probe/ping-child.js';

const probe = (target: string, more: Partial<PingSource> = {}): PingSource => ({ kind: 'ping', target: parseAddress(target)!, ...PING_DEFAULTS, ...more });

describe('pingArgs', () => {
  it('asks for numeric, stamped output with a line per unanswered request, the family pinned', () => {
    expect(pingArgs(probe('192.0.2.1'))).toEqual(['-n', '-D', '-O', '-i', '1.000', '-4', '192.0.2.1']);
    expect(pingArgs(probe('2001:db8::1', { dev: 'eth0', interval: 100 }))).toEqual(['-n', '-D', '-O', '-i', '0.100', '-I', 'eth0', '-6', '2001:db8::1']);
  });
});

describe('LineSplitter', () => {
  it('joins chunks into lines and cuts a line that never ends', () => {
    const lines: string[] = [];
    const s = new LineSplitter((l) => lines.push(l), 10);
    s.push('ab');
    s.push('c\nde\nf');
    expect(lines).toEqual(['abc', 'de']);
    s.push('x'.repeat(50));
    s.push('\n');
    expect(lines[2]).toBe('f' + 'x'.repeat(9));
    s.push('tail');
    s.end();
    expect(lines[3]).toBe('tail');
  });
});

describe('StderrTail', () => {
  it('keeps the last lines, each bounded', () => {
    const t = new StderrTail(2, 5);
    t.add('one');
    t.add('  ');
    t.add('two');
    t.add('three and more');
    expect(t.text()).toBe('two | three...');
    t.clear();
    expect(t.text()).toBe('');
  });
});

describe('Backoff', () => {
  it('doubles from 100 ms to 5 s, and starts over after a child that ran 30 s', () => {
    const b = new Backoff();
    expect([1, 2, 3, 4, 5, 6, 7, 8].map(() => b.delay(10))).toEqual([100, 200, 400, 800, 1600, 3200, 5000, 5000]);
    expect(b.delay(30_000)).toBe(100);
    expect(b.delay(10)).toBe(200);
  });
});
