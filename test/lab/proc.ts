// A program the lab started (the daemon, keepalived, a helper), its stdout and stderr
// captured line by line with their arrival times and, if asked, appended to a log file.
import { appendFileSync } from 'node:fs';
import type { ChildProcess } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { waitFor } from './wait.js';

export interface Exit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** One line of output and when it arrived (performance.now()). */
export interface LogLine {
  readonly t: number;
  readonly text: string;
}

export interface ProcOptions {
  /** Names the process in tail(), e.g. "keepalived-fw1". */
  readonly name?: string;
  /** Every line is appended to this file as well (kept for a post-mortem). */
  readonly logFile?: string;
  /** stop()'s default grace between SIGTERM and SIGKILL, in ms. Default 3000. */
  readonly grace?: number;
}

export class Proc {
  /** Everything it wrote, stdout and stderr as they arrived. */
  output = '';
  /** Its non-empty lines, oldest first. */
  readonly entries: LogLine[] = [];
  exited?: Exit;
  readonly exit: Promise<Exit>;
  readonly name: string | undefined;
  private readonly logFile: string | undefined;
  private readonly grace: number;

  constructor(
    readonly child: ChildProcess,
    opts: ProcOptions = {},
  ) {
    this.name = opts.name;
    this.logFile = opts.logFile;
    this.grace = opts.grace ?? 3000;
    // One buffer per stream: a partial line of one is never glued to a line of the other.
    const flushers = [child.stdout, child.stderr].map((stream) => {
      let buffer = '';
      stream?.setEncoding('utf8').on('data', (chunk: string) => {
        this.output += chunk;
        const parts = (buffer + chunk).split('\n');
        buffer = parts.pop() ?? '';
        this.add(parts);
      });
      return () => {
        this.add([buffer]);
        buffer = '';
      };
    });
    this.exit = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        for (const flush of flushers) flush();
        this.exited = { code, signal };
        resolve(this.exited);
      });
    });
  }

  private add(texts: readonly string[]): void {
    const t = performance.now();
    const lines = texts.filter((text) => text !== '');
    for (const text of lines) this.entries.push({ t, text });
    if (this.logFile && lines.length > 0) {
      try {
        appendFileSync(this.logFile, lines.map((l) => `${l}\n`).join(''));
      } catch {
        // the lab's temp dir is gone: output after destroy() is of no interest
      }
    }
  }

  /** `ip netns exec` execs, so this is the pid of the program itself. */
  get pid(): number {
    return this.child.pid!;
  }

  get alive(): boolean {
    return this.exited === undefined;
  }

  lines(): string[] {
    return this.entries.map((l) => l.text);
  }

  /** A position in the log: `const m = d.mark(); ...; d.since(m)` are the lines after it. */
  mark(): number {
    return this.entries.length;
  }

  since(mark = 0): string[] {
    return this.entries.slice(mark).map((l) => l.text);
  }

  tail(n = 40): string {
    const status = this.exited ? `[exited: code ${this.exited.code}, signal ${this.exited.signal}]` : '';
    const head = this.name === undefined ? (status ? `${status}\n` : '') : `--- ${this.name}${status ? ` ${status}` : ''} ---\n`;
    return head + this.since(Math.max(0, this.entries.length - n)).join('\n');
  }

  /** How many lines match. */
  count(re: RegExp): number {
    return this.entries.filter((l) => re.test(l.text)).length;
  }

  /** The first line after `mark` that matches, with its arrival time. */
  find(re: RegExp, mark = 0): LogLine | undefined {
    return this.entries.slice(mark).find((l) => re.test(l.text));
  }

  /** Waits for a line matching `re` after `mark`; returns it with its arrival time. */
  waitForLine(re: RegExp, timeout = 5000, mark = 0): Promise<LogLine> {
    const who = this.name ?? 'the process';
    return waitFor(`${who} to log a line matching ${re}`, () => this.find(re, mark), { timeout, context: () => this.tail() });
  }

  /** Waits for a line matching `re` after `mark`; returns its text. */
  async waitForLog(re: RegExp, timeout = 5000, mark = 0): Promise<string> {
    return (await this.waitForLine(re, timeout, mark)).text;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.alive) process.kill(this.pid, sig);
  }

  /** SIGTERM, then SIGKILL if it has not exited within `grace` ms. */
  async stop(grace = this.grace): Promise<Exit> {
    if (!this.alive) return this.exited!;
    this.signal('SIGTERM');
    const timer = setTimeout(() => this.alive && process.kill(this.pid, 'SIGKILL'), grace);
    const result = await this.exit;
    clearTimeout(timer);
    return result;
  }
}
