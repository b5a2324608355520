import { MAX_LINE_CHARS } from './limits.js';

/** A token of ifdepd.conf, with the line it stands on for error messages. */
export interface Token {
  readonly kind: 'word' | 'string' | '{' | '}' | 'newline';
  readonly text: string;
  readonly line: number;
}

export class ConfigSyntaxError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigSyntaxError';
  }
}

const SPECIAL = new Set(['{', '}', '"', '#', ',']);
const isSpace = (c: string): boolean => c === ' ' || c === '\t' || c === '\r';

/**
 * Words, "quoted strings" (with \" and \\), braces and line ends; '#' starts a
 * comment; commas separate like blanks do.
 */
export function tokenize(text: string): Token[] {
  checkText(text);
  const tokens: Token[] = [];
  let line = 1;
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '\n') {
      tokens.push({ kind: 'newline', text: '\n', line });
      line += 1;
      i += 1;
    } else if (isSpace(c) || c === ',') {
      i += 1;
    } else if (c === '#') {
      while (i < text.length && text[i] !== '\n') i += 1;
    } else if (c === '{' || c === '}') {
      tokens.push({ kind: c, text: c, line });
      i += 1;
    } else if (c === '"') {
      const [value, end] = readString(text, i, line);
      tokens.push({ kind: 'string', text: value, line });
      i = end;
    } else {
      let end = i;
      while (end < text.length && !SPECIAL.has(text[end]!) && !isSpace(text[end]!) && text[end] !== '\n') end += 1;
      tokens.push({ kind: 'word', text: text.slice(i, end), line });
      i = end;
    }
  }
  tokens.push({ kind: 'newline', text: '\n', line });
  return tokens;
}

function readString(text: string, start: number, line: number): [string, number] {
  let value = '';
  let i = start + 1;
  while (i < text.length) {
    const c = text[i]!;
    if (c === '"') return [value, i + 1];
    if (c === '\n') break;
    if (c === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\')) {
      value += text[i + 1];
      i += 2;
      continue;
    }
    value += c;
    i += 1;
  }
  throw new ConfigSyntaxError(line, 'unterminated string (a " is missing)');
}

/** Tab, newline and carriage return are the only control characters a file may hold. */
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u2028\u2029]/;

/** Refuses what no setting can hold, before anything is echoed: control characters, endless lines. */
function checkText(text: string): void {
  const control = CONTROL.exec(text);
  const limit = control?.index ?? text.length;
  let line = 1;
  for (let start = 0; start <= limit; line += 1) {
    const end = text.indexOf('\n', start);
    const stop = end === -1 ? text.length : end;
    if (stop - start > MAX_LINE_CHARS) throw new ConfigSyntaxError(line, `line longer than ${MAX_LINE_CHARS} characters`);
    if (control !== null && control.index < stop) break;
    if (end === -1) return;
    start = end + 1;
  }
  if (control !== null) {
    const code = control[0].codePointAt(0)!;
    const shown = code <= 0xff ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
    throw new ConfigSyntaxError(line, `control character ${shown}: names and settings are printable text`);
  }
}
