import { describe, expect, it } from 'vitest';
import { hasUnprintable, MAX_ECHO_BYTES, quote } from '../../../src/core/quote.js';

describe('quote: operator input echoed in one short line', () => {
  it.each<[string, string]>([
    ['em0', "'em0'"],
    ['', "''"],
    ['a\nb', "'a\\nb'"],
    ['a\tb\rc', "'a\\tb\\rc'"],
    ['\u0000\u0001\u007f', "'\\x00\\x01\\x7f'"],
    ['\u0085', "'\\x85'"],
    ['bad\ufffd', "'bad\\u{fffd}'"],
    ['\ud800x', "'\\u{d800}x'"],
    ["it's", "'it\\'s'"],
    ['back\\slash', "'back\\\\slash'"],
    ['vrrp.é', "'vrrp.é'"],
  ])('%j -> %s', (text, shown) => {
    expect(quote(text)).toBe(shown);
  });

  it(`cuts at ${MAX_ECHO_BYTES} bytes and says so`, () => {
    const shown = quote('x'.repeat(1_000_000));
    expect(shown).toBe(`'${'x'.repeat(MAX_ECHO_BYTES)}'...`);
  });

  it('never cuts inside an escape or a multi-byte character', () => {
    const escapes = quote('\n'.repeat(100));
    expect(escapes).toBe(`'${'\\n'.repeat(MAX_ECHO_BYTES / 2)}'...`);
    const wide = quote('é'.repeat(100));
    expect(wide).toBe(`'${'é'.repeat(MAX_ECHO_BYTES / 2)}'...`);
    expect(Buffer.byteLength(quote('\u0001'.repeat(100)))).toBeLessThanOrEqual(MAX_ECHO_BYTES + 5);
  });

  it('tells printable text from control characters and broken UTF-8', () => {
    expect(hasUnprintable('vrrp.51-é')).toBe(false);
    for (const bad of ['a\u0001', 'a\n', '\u007f', '\u009b', '\ufffd', '\udc00']) expect(hasUnprintable(bad), JSON.stringify(bad)).toBe(true);
  });
});
