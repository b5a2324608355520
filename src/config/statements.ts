import { ConfigSyntaxError, type Token } from './lexer.js';

/** One line's words: `keyword arg arg...`. */
export interface Statement {
  readonly line: number;
  readonly keyword: string;
  readonly args: readonly Token[];
  /** The statement ended with '{'. */
  readonly opensBlock: boolean;
}

/** Reads a token list statement by statement. */
export class StatementReader {
  private i = 0;
  constructor(private readonly tokens: readonly Token[]) {}

  /** The next statement, or undefined at the end; '}' comes back as keyword '}'. */
  next(): Statement | undefined {
    while (this.peek()?.kind === 'newline') this.i += 1;
    const first = this.peek();
    if (first === undefined) return undefined;
    this.i += 1;
    if (first.kind === '}') {
      this.endOfLine(first);
      return { line: first.line, keyword: '}', args: [], opensBlock: false };
    }
    if (first.kind === '{') throw new ConfigSyntaxError(first.line, "unexpected '{'");
    const args: Token[] = [];
    let opensBlock = false;
    for (let t = this.peek(); t !== undefined && t.kind !== 'newline'; t = this.peek()) {
      this.i += 1;
      if (t.kind === '{') {
        opensBlock = true;
        this.endOfLine(t);
        break;
      }
      if (t.kind === '}') throw new ConfigSyntaxError(t.line, "'}' must stand on a line of its own");
      args.push(t);
    }
    return { line: first.line, keyword: first.text, args, opensBlock };
  }

  private endOfLine(after: Token): void {
    const t = this.peek();
    if (t !== undefined && t.kind !== 'newline') {
      throw new ConfigSyntaxError(t.line, `unexpected '${t.text}' after '${after.text}'`);
    }
  }

  private peek(): Token | undefined {
    return this.tokens[this.i];
  }
}

