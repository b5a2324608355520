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
