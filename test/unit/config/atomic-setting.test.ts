import { describe, expect, it } from 'vitest';
import { parseConfig } from '../../../src/config/parser.js';
import { ConfigSyntaxError } from '../../../src/config/lexer.js';

/** "line: message", as the loader prefixes the file name to it. */
function refusal(text: string): string {
  try {
    parseConfig(text);
  } catch (err) {
    if (err instanceof ConfigSyntaxError) return `line ${err.line}: ${err.message}`;
    throw err;
  }
  throw new Error('accepted');
}

const group = (...lines: string[]) => `group g {\n sources em0\n destinations vrrp0\n${lines.join('\n')}\n}\n`;

describe('atomic', () => {
  it('alone lets ifdepd choose the number; with group N it is N', () => {
    expect(parseConfig(group('atomic')).groups[0]!.atomic).toEqual({});
    expect(parseConfig(group('atomic group 4294967295')).groups[0]!.atomic).toEqual({ group: 4294967295 });
    expect(parseConfig(group()).groups[0]!.atomic).toBeUndefined();
  });

  it('refuses group 0, numbers past u32, other words, and a second atomic line, with the line', () => {
    expect(refusal(group('atomic group 0'))).toMatch(/line 4: atomic: expected 'atomic' or 'atomic group N'/);
    expect(refusal(group('atomic group 4294967296'))).toMatch(/line 4: atomic/);
    expect(refusal(group('atomic yes'))).toMatch(/line 4: atomic/);
    expect(refusal(group('atomic', 'atomic'))).toMatch(/line 5: group g: atomic given twice/);
  });

  it('refuses atomic with keepalived-track-file, which switches no interface', () => {
    expect(refusal(group('action keepalived-track-file /run/x', 'atomic'))).toMatch(/line 5: group g: atomic switches interfaces/);
  });
});
