// The demo's output: one line per thing that happened, from three witnesses, in the
// order it happened. The witnesses report late and out of order (pipes, buffering),
// so lines are held back and printed sorted, once a step has settled.
import { bold, dim } from './style.js';

export type Who = 'demo' | 'kernel' | 'ifdepd';

export interface Entry {
  readonly t: number;
  readonly who: Who;
  readonly text: string;
}

const WHO_WIDTH = 6;

export class Timeline {
  private pending: Entry[] = [];
  private reference: number | undefined;

  constructor(
    /** Time zero of the printed clock. */
    private readonly t0: number,
    private readonly write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
  ) {}

  add(entry: Entry): void {
    if (entry.t >= this.t0) this.pending.push(entry);
  }

  /** The column header, once. */
  header(): void {
    this.write(dim(`${'TIME s'.padStart(8)}  ${'WHO'.padEnd(WHO_WIDTH)}  WHAT`));
  }

  /** Starts a step: what is held back belongs to the previous one. */
  heading(text: string): void {
    this.flush();
    this.reference = undefined;
    this.write('');
    this.write(bold(text));
  }

  /** Kernel lines after `t` show how long after it they came: the reaction, as it happens. */
  measureFrom(t: number): void {
    this.reference = t;
  }

  /** A conclusion, under the lines it concludes. */
  conclude(text: string): void {
    this.flush();
    this.write(`${' '.repeat(8)}  ${'=>'.padEnd(WHO_WIDTH)}  ${text}`);
  }

  plain(text: string): void {
    this.flush();
    this.write(text);
  }

  flush(): void {
    const entries = this.pending.sort((a, b) => a.t - b.t);
    this.pending = [];
    for (const e of entries) this.write(this.format(e));
  }

  private format(e: Entry): string {
    const time = dim(((e.t - this.t0) / 1000).toFixed(3).padStart(8));
    // Strictly after: the kernel's report of the action itself is the zero, not a reaction.
    const since = this.reference !== undefined && e.who === 'kernel' && e.t > this.reference;
    const delta = since ? dim(`  (+${(e.t - this.reference!).toFixed(1)} ms)`) : '';
    const text = e.who === 'demo' ? bold(e.text) : e.text;
    return `${time}  ${e.who.padEnd(WHO_WIDTH)}  ${text}${delta}`;
  }
}
