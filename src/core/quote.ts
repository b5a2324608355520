/**
 * Operator input echoed in a message: one line, readable whatever it holds, and short
 * (a 1 MB interface name must not become a 1 MB log line).
 */
export const MAX_ECHO_BYTES = 64;

const ESCAPES: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\\': '\\\\', "'": "\\'" };

/** Control characters (C0, DEL, C1), lone surrogates and U+FFFD, which argv makes of invalid UTF-8. */
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\ud800-\udfff\ufffd\u2028\u2029]/u;

function escapeChar(c: string): string {
  const known = ESCAPES[c];
  if (known !== undefined) return known;
  if (!UNPRINTABLE.test(c)) return c;
  const code = c.codePointAt(0)!;
  return code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
}

/** 'text' in single quotes, escaped, cut to about MAX_ECHO_BYTES with "..." when longer. */
export function quote(text: string): string {
  let out = '';
  let bytes = 0;
  for (const c of text) {
    const shown = escapeChar(c);
    const size = utf8Length(shown);
    if (bytes + size > MAX_ECHO_BYTES) return `'${out}'...`;
    out += shown;
    bytes += size;
  }
  return `'${out}'`;
}

/** Whether text holds a character a name must not have: a control character or a broken one. */
export const hasUnprintable = (text: string): boolean => UNPRINTABLE.test(text);

function utf8Length(text: string): number {
  let n = 0;
  for (const c of text) {
    const code = c.codePointAt(0)!;
    n += code < 0x80 ? 1 : code < 0x800 ? 2 : code < 0x10000 ? 3 : 4;
  }
  return n;
}
