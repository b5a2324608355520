import type { ChildProcess } from 'node:child_process';
import { messageOf, oneLine } from '../base/errors.js';
import { childProcess } from '../base/lazy-builtins.js';
import type { Scheduler, Timer } from '../core/clock.js';
import type { PingObservation } from '../core/sources/ping-state.js';
import type { PingSource } from '../core/sources/spec.js';
import type { Millis } from '../core/types.js';
import type { Logger } from '../logging/logger.js';
import { MissClock } from './miss-clock.js';
import { Backoff, LineSplitter, StderrTail } from './output.js';
import { parsePingLine } from './ping-line.js';

/** The child runs as root: a known PATH and the C locale (the output we parse), nothing inherited. */
export const CHILD_ENV: Readonly<Record<string, string>> = { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LC_ALL: 'C' };

/** Called for every answer and miss, and when the child stops or runs again. */
export interface PingReport {
  (name: string, spec: PingSource, seen: PingObservation): void;
}

export interface ChildDeps {
  readonly tool: string;
  /** Put before the tool's argv, e.g. `ip netns exec NS` in tests; empty in the daemon. */
  readonly wrap: readonly string[];
  readonly log: Logger;
  readonly report: PingReport;
  readonly clock: Scheduler;
  readonly wall: () => number;
  readonly defer: (call: () => void) => void;
  /** Between SIGTERM and SIGKILL when a child is stopped. */
  readonly killGrace: Millis;
}

/**
 * The tool's arguments: numeric output (-n: no DNS lookup ever blocks a line), a wall-clock
 * stamp per line (-D), a line for each request unanswered when the next is sent (-O), the
 * interval, the device (-I: SO_BINDTODEVICE) and the family of the target.
 */
export function pingArgs(spec: PingSource): string[] {
  const dev = spec.dev === undefined ? [] : ['-I', spec.dev];
  return ['-n', '-D', '-O', '-i', (Math.round(spec.interval) / 1000).toFixed(3), ...dev, spec.target.family === 'inet' ? '-4' : '-6', spec.target.text];
}

const formatDelay = (ms: Millis): string => (ms < 1000 ? `${ms} ms` : `${ms / 1000} s`);

/**
 * One probe's ping child, kept running: restarted with backoff when it dies. Until the
 * next child runs, the dead one's miss clock goes on, so a tool that cannot run fails
 * closed after interval x down; a quick restart costs at most a request or two.
 */
export class SupervisedPing {
  private child: ChildProcess | undefined;
  private misses: MissClock | undefined;
  private restart: Timer | undefined;
  private startedAt = 0;
  private lastWhy = '';
  private closed = false;
  private readonly backoff = new Backoff();
  private readonly stderr = new StderrTail();

  constructor(
    readonly name: string,
    private current: PingSource,
    private readonly deps: ChildDeps,
  ) {
    this.spawn();
  }

  get spec(): PingSource {
    return this.current;
  }

  /** The running child's pid, if one runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** A new spec under the same name: a new child at once, no 'stopped' in between. */
  respec(spec: PingSource): void {
    this.current = spec;
    this.restart?.cancel();
    this.restart = undefined;
    this.kill();
    this.spawn();
  }

  close(): void {
    this.closed = true;
    this.restart?.cancel();
    this.restart = undefined;
    this.misses?.stop();
    this.kill();
  }

  private spawn(): void {
    const spec = this.current;
    const report = this.deps.report;
    this.misses?.stop();
    const misses = new MissClock({ ...this.deps, interval: spec.interval, timeout: spec.timeout, emit: (seen) => report(this.name, spec, seen) });
    this.misses = misses;
    this.stderr.clear();
    this.startedAt = this.deps.clock.now();
    const argv = [...this.deps.wrap, this.deps.tool, ...pingArgs(spec)];
    this.deps.log.debug(`${this.name}: probe started: ${oneLine(argv.join(' '))}`);
    let child: ChildProcess;
    try {
      // No shell, stdin closed, in our process group: it goes with the daemon's service.
      child = childProcess().spawn(argv[0]!, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: CHILD_ENV, detached: false, shell: false });
    } catch (err) {
      this.ended(undefined, `cannot be started: ${messageOf(err)}`);
      return;
    }
    this.child = child;
    let announced = false;
    const out = new LineSplitter((line) => {
      if (this.child !== child) return;
      // Its first line (the header) says it is set up: a tool that fails at once never says 'running'.
      if (!announced) report(this.name, spec, { kind: 'running' });
      announced = true;
      const parsed = parsePingLine(line);
      if (parsed !== undefined) misses.line(parsed);
    });
    const err = new LineSplitter((line) => this.stderr.add(oneLine(line)));
    child.stdout?.setEncoding('utf8').on('data', (chunk: string) => out.push(chunk));
    child.stderr?.setEncoding('utf8').on('data', (chunk: string) => err.push(chunk));
    child.on('error', (e) => {
      if (child.pid === undefined) this.ended(child, `cannot be started: ${e.message}`);
    });
    child.on('close', (code, signal) => {
      out.end();
      err.end();
      this.ended(child, `exited (${signal === null ? `status ${code ?? '?'}` : `signal ${signal}`})`);
    });
  }

  /** The child is gone on its own: say so, and start another after the backoff. */
  private ended(child: ChildProcess | undefined, how: string): void {
    // `how`: exited (status N), exited (signal S), or cannot be started: ERROR
    if (child !== undefined && this.child !== child) return; // replaced, closed, or said already
    this.child = undefined;
    if (this.closed) return;
    const stderr = this.stderr.text();
    const why = `${how}${stderr === '' ? '' : `: ${stderr}`}`;
    this.deps.report(this.name, this.current, { kind: 'stopped', why });
    const delay = this.backoff.delay(this.deps.clock.now() - this.startedAt);
    // The same failure again at the longest delay is said once, then only with -v.
    const repeat = why === this.lastWhy && delay === this.backoff.max;
    this.lastWhy = why;
    const text = `${this.name}: probe ${why}; restarting in ${formatDelay(delay)}`;
    if (repeat) this.deps.log.debug(text);
    else this.deps.log.warning(text);
    this.restart = this.deps.clock.after(delay, () => {
      this.restart = undefined;
      if (!this.closed) this.spawn();
    });
  }

  /** SIGTERM now, SIGKILL after the grace if it is still there; its lines are no longer read. */
  private kill(): void {
    const child = this.child;
    this.child = undefined;
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const last = setTimeout(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    }, this.deps.killGrace);
    last.unref(); // a daemon on its way out is not held up by it
    child.once('exit', () => clearTimeout(last));
  }
}
