// The real ifdepd, started in the lab exactly as an operator would start it, with
// this very build (same node binary, same dist/cli.js). The demo only reads its log.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseLogTimestamp, sleep, wallNow } from './clock.js';

/** dist/demo/watchdog-process.js -> dist/cli.js */
export const CLI = fileURLToPath(new URL('../cli.js', import.meta.url));

export interface LogEntry {
  readonly t: number;
  readonly text: string;
}

/** "2026-11-22T00:44:37.123Z ifdepd[812]: warning: vrrp0: ..." */
const LOG_LINE = /^(\S+Z) ifdepd\[\d+\]: (.*)$/;

export class WatchdogProcess {
  readonly log: LogEntry[] = [];
  private buffer = '';
  private listener: ((e: LogEntry) => void) | undefined;
  private exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  private constructor(private readonly child: ChildProcess) {
    const take = (chunk: string) => this.feed(chunk);
    child.stdout!.setEncoding('utf8').on('data', take);
    child.stderr!.setEncoding('utf8').on('data', take);
    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exitStatus = { code, signal };
        resolve(this.exitStatus);
      });
    });
  }

  /** `ip netns exec NS node dist/cli.js ARGS`; ip execs, so the pid is ifdepd's own. */
  static start(ns: string, args: readonly string[]): WatchdogProcess {
    // Not the journal: a pipe, so ifdepd writes its own time stamps, which the demo reads.
    const env = { ...process.env };
    delete env.JOURNAL_STREAM;
    const child = spawn('ip', ['netns', 'exec', ns, process.execPath, CLI, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
    });
    return new WatchdogProcess(child);
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get alive(): boolean {
    return this.exitStatus === undefined;
  }

  onLine(listener: (e: LogEntry) => void): void {
    this.listener = listener;
  }

  /** The first log line matching `re` from `since` on, waiting up to `timeout` ms for it. */
  async waitFor(re: RegExp, since: number, timeout: number): Promise<LogEntry | undefined> {
    const deadline = wallNow() + timeout;
    for (;;) {
      const found = this.log.find((e) => e.t >= since && re.test(e.text));
      if (found !== undefined || !this.alive || wallNow() > deadline) return found;
      await sleep(10);
    }
  }

  count(re: RegExp, since: number): number {
    return this.log.filter((e) => e.t >= since && re.test(e.text)).length;
  }

  /** SIGTERM, as systemd would; SIGKILL if it has not gone within `grace` ms. */
  async stop(grace = 3000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (!this.alive) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.kill(), grace);
    const status = await this.exited;
    clearTimeout(timer);
    return status;
  }

  /** For the emergency exit: no grace, nothing awaited. */
  kill(): void {
    if (this.alive) this.child.kill('SIGKILL');
  }

  private feed(chunk: string): void {
    this.buffer += chunk;
    const lines = this.buffer.split('\n');
    this.buffer = lines.pop() ?? '';
    for (const line of lines) if (line !== '') this.add(line);
  }

  private add(line: string): void {
    const m = LOG_LINE.exec(line);
    const t = (m && parseLogTimestamp(m[1]!)) ?? wallNow();
    const entry: LogEntry = { t, text: m ? m[2]! : line };
    this.log.push(entry);
    this.listener?.(entry);
  }
}
