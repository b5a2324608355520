import { describe, expect, it } from 'vitest';
import { invalidPattern, MAX_PATTERN_BYTES, MAX_PATTERN_DEPTH, namePattern, overlap } from '../../../src/core/patterns.js';

describe('invalidPattern', () => {
  it.each(['em0', 'vrrp.*', 'eth[0-3]', '{wan,lan}?', '@(a|b)0', `${'{'.repeat(MAX_PATTERN_DEPTH)}a${'}'.repeat(MAX_PATTERN_DEPTH)}`])('accepts %s', (text) => {
    expect(invalidPattern(text)).toBeUndefined();
  });

  it.each<[string, string, RegExp]>([
    ['a name too long', 'abcdefghijklmnop', /^interface name 'abcdefghijklmnop' is longer than 15 bytes$/],
    ['a pattern too long', `v*${'x'.repeat(MAX_PATTERN_BYTES)}`, /^pattern 'v\*x{62}'\.\.\. is longer than 128 bytes$/],
    ['braces nested too deep', `${'{'.repeat(9)}a${'}'.repeat(9)}`, /nests braces or parentheses 9 deep, more than 8/],
    ['extglobs nested too deep', `${'+('.repeat(9)}a${')'.repeat(9)}`, /nests braces or parentheses 9 deep/],
    ['a slash', 'a/*', /contains a character no interface name has/],
  ])('refuses %s', (_label, text, message) => {
    expect(invalidPattern(text)).toMatch(message);
  });

  it('refuses 20,000 nested braces without handing them to picomatch, echoing 64 bytes of them', () => {
    const problem = invalidPattern(`${'{'.repeat(20_000)}a${'}'.repeat(20_000)}`);
    expect(problem).toBe(`pattern '${'{'.repeat(64)}'... is longer than ${MAX_PATTERN_BYTES} bytes`);
    const deep = `${'{'.repeat(40)}a${'}'.repeat(40)}`;
    expect(invalidPattern(deep)).toMatch(/^pattern '\{{40}a\}{23}'\.\.\. nests braces or parentheses 40 deep, more than 8$/);
  });

  it('does not count escaped braces', () => {
    expect(invalidPattern(`e*${'\\{'.repeat(20)}`)).toBeUndefined();
  });
});

describe('overlap', () => {
  const o = (a: string, b: string) => overlap(namePattern(a), namePattern(b));
  it('compares names, a name with a glob, and two globs', () => {
    expect(o('eth0', 'eth0')).toBe(true);
    expect(o('eth0', 'eth1')).toBe(false);
    expect(o('eth*', 'eth1')).toBe(true);
    expect(o('vrrp.*', 'eth1')).toBe(false);
    expect(o('eth*', 'eth[0-3]')).toBe(true);
    expect(o('vrrp.*', 'eth*')).toBe(false);
  });
});
