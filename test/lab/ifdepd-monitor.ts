// `ifdepd monitor` run by a test: its stdout as lines, its JSON events, waiting for one.
import { spawn, type ChildProcess } from 'node:child_process';
import { CLI } from './cli.js';
import { waitFor } from './wait.js';

/** One line of `ifdepd monitor --json`. */
export interface EventLine {
  readonly v: number;
  readonly seq?: number;
  readonly kind: string;
  readonly at: number;
  readonly time: string;
  readonly [field: string]: unknown;
}

/** A running `ifdepd monitor`, its stdout split into lines as they come. */
export class MonitorClient {
  readonly lines: string[] = [];
  stderr = '';
  readonly exit: Promise<number | null>;
  private partial = '';
  private readonly parsed: EventLine[] = [];

  constructor(readonly child: ChildProcess) {
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      const parts = (this.partial + chunk).split('\n');
      this.partial = parts.pop()!;
      this.lines.push(...parts);
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (this.stderr += chunk));
    this.exit = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  }

  static start(sock: string, ...args: string[]): MonitorClient {
    return new MonitorClient(spawn(process.execPath, [CLI, 'monitor', ...args, '-s', sock], { stdio: ['ignore', 'pipe', 'pipe'] }));
  }

  /** The lines parsed as JSON, each once: a storm's thousands of lines are polled often. */
  events(): EventLine[] {
    for (let i = this.parsed.length; i < this.lines.length; i++) this.parsed.push(JSON.parse(this.lines[i]!) as EventLine);
    return this.parsed;
  }

  /** Waits for an event matching `match` and returns it. */
  waitEvent(what: string, match: (e: EventLine) => boolean, timeout = 5000): Promise<EventLine> {
    return waitFor(`monitor: ${what}`, () => this.events().find(match), {
      timeout,
      interval: 20,
      context: () => `stderr: ${this.stderr}\n${this.lines.slice(-30).join('\n')}`,
    });
  }

  stop(): void {
    if (this.child.exitCode === null) this.child.kill('SIGKILL');
  }
}

