/** Splits a child's output into lines; a line longer than `maxChars` is cut there. */
export class LineSplitter {
  private partial = '';

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxChars = 1000,
  ) {}

  push(chunk: string): void {
    const parts = (this.partial + chunk).split('\n');
    this.partial = parts.pop() ?? '';
    // A tool that never ends its line must not grow our memory.
    if (this.partial.length > this.maxChars) this.partial = this.partial.slice(0, this.maxChars);
    for (const line of parts) this.onLine(line.length > this.maxChars ? line.slice(0, this.maxChars) : line);
  }

  /** The unterminated rest, at end of stream. */
  end(): void {
    if (this.partial !== '') this.onLine(this.partial);
    this.partial = '';
  }
}

/** The last few lines a child wrote to stderr, for the line that logs its exit. */
export class StderrTail {
  private readonly lines: string[] = [];

  constructor(
    private readonly maxLines = 3,
    private readonly maxChars = 200,
  ) {}

  add(line: string): void {
    const text = line.trim();
    if (text === '') return;
    this.lines.push(text.length > this.maxChars ? `${text.slice(0, this.maxChars)}...` : text);
    if (this.lines.length > this.maxLines) this.lines.shift();
  }

  /** The kept lines joined into one, or '' if there were none. */
  text(): string {
    return this.lines.join(' | ');
  }

  clear(): void {
    this.lines.length = 0;
  }
}

/** 100 ms doubling to 5 s; back to 100 ms after a child that ran 30 s. */
export class Backoff {
  private next: number;

  constructor(
    private readonly first = 100,
    readonly max = 5000,
    private readonly healthyAfter = 30_000,
  ) {
    this.next = first;
  }

  /** The delay before restarting a child that ran `ranMs`. */
  delay(ranMs: number): number {
    if (ranMs >= this.healthyAfter) this.next = this.first;
    const delay = this.next;
    this.next = Math.min(this.next * 2, this.max);
    return delay;
  }
}
