import type { ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { messageOf } from '../base/errors.js';
import { childProcess } from '../base/lazy-builtins.js';
import { untrustedProgram } from '../base/trusted-path.js';
import type { HookSpec } from '../core/spec.js';
import type { Logger } from '../logging/logger.js';
import type { Decision } from '../core/types.js';
import { ProcessGroup } from './process-group.js';

/** Hooks run as root: they get a known PATH, not whatever the daemon was started with. */
const SAFE_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const KILL_GRACE_MS = 1000;
const MAX_LINE_CHARS = 500;
const MAX_LINES_PER_RUN = 100;

/** What a hook is told, through its environment. */
export interface Transition {
  readonly group: string;
  readonly state: Decision;
  readonly reason: string;
  readonly sources: readonly string[];
  readonly destinations: readonly string[];
  readonly dryRun: boolean;
}

/** How a run ended, for the `hook` event (core/events.ts). */
export interface HookResult {
  readonly result: 'ok' | 'failed' | 'timeout';
  readonly ms: number;
  readonly exitCode?: number;
  readonly signal?: string;
  readonly error?: string;
}

/**
 * One run of one hook: its output, its time limit, its outcome in the log. The time limit
 * covers the hook's whole process group: what the hook started and left behind in it is
 * killed at the limit too, even if the hook itself exited long before.
 */
export class HookProcess {
  /** The hook exited (or never started) and its output is read: the next one may run. */
  readonly done: Promise<void>;
  /** Nothing of its process group is left to watch: it emptied, or was killed. */
  readonly gone: Promise<void>;
  private readonly label: string;
  private readonly started = Date.now();
  private child: ChildProcess | undefined;
  private group: ProcessGroup | undefined;
  private lines = 0;
  private timedOut = false;
  private limit: NodeJS.Timeout | undefined;
  private killTimer: NodeJS.Timeout | undefined;
  private markGone: () => void = () => undefined;

  constructor(
    private readonly hook: HookSpec,
    t: Transition,
    private readonly log: Logger,
    private readonly report: (result: HookResult) => void = () => undefined,
  ) {
    this.label = `hook ${basename(hook.path)} (${t.group} ${t.state})`;
    this.gone = new Promise((resolve) => (this.markGone = resolve));
    this.done = new Promise((resolve) => this.start(t, resolve));
  }

  /** The daemon is exiting: SIGKILL to the whole group now, nothing may outlive it. */
  kill(): void {
    this.group?.signal('SIGKILL');
    this.settle();
  }

  private start(t: Transition, resolve: () => void): void {
    let finished = false;
    const finish = (outcome: () => void): void => {
      if (finished) return;
      finished = true;
      outcome();
      resolve();
      // Left-overs in the group are killed at the time limit; without any, the run is over.
      if (!this.timedOut && this.group?.alive !== true) this.settle();
    };
    // Checked again right before it runs: the file may have changed since the configuration was read.
    const problem = untrustedProgram(this.hook.path);
    if (problem !== undefined) {
      finish(() => this.notRun('error', `not run: ${problem}`));
      return;
    }
    this.limit = setTimeout(() => this.expire(), this.hook.timeoutMs);
    try {
      this.child = childProcess().spawn(this.hook.path, [...this.hook.args], {
        env: environment(t),
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: '/',
        // Its own session and process group, so a time-out also reaches what the hook started.
        detached: true,
      });
    } catch (err) {
      finish(() => this.notRun('warning', `cannot run ${this.hook.path}: ${messageOf(err)}`));
      return;
    }
    const child = this.child;
    if (child.pid !== undefined) this.group = new ProcessGroup(child.pid);
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Without a pid the exec failed; otherwise a kill failed, and 'close' still follows.
      if (child.pid === undefined) finish(() => this.notRun('warning', `cannot run ${this.hook.path}: ${spawnError(err)}`));
    });
    this.forward(child.stdout!, (line) => this.log.info(line));
    this.forward(child.stderr!, (line) => this.log.warning(line));
    child.on('close', (code, signal) => finish(() => this.logOutcome(code, signal)));
    child.on('exit', () => {
      this.group?.leaderReaped();
      // A grandchild that left the process group may hold our pipes open forever.
      setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
      }, KILL_GRACE_MS).unref();
    });
  }

  /** The time limit: SIGTERM to the group, SIGKILL to what is left of it a second later. */
  private expire(): void {
    const hookRunning = this.child?.exitCode === null && this.child.signalCode === null;
    if (!hookRunning && this.group?.alive !== true) {
      this.settle();
      return;
    }
    this.timedOut = hookRunning;
    const what = hookRunning ? '' : ': the hook exited but left processes in its process group';
    this.log.warning(`${this.label}: timed out after ${this.hook.timeoutMs} ms${what}, sending SIGTERM`);
    this.group?.signal('SIGTERM');
    this.killTimer = setTimeout(() => {
      if (this.group?.alive === true) {
        this.log.warning(`${this.label}: process group still running ${KILL_GRACE_MS} ms after SIGTERM, sending SIGKILL`);
        this.group.signal('SIGKILL');
      }
      this.settle();
    }, KILL_GRACE_MS);
  }

  private settle(): void {
    clearTimeout(this.limit);
    clearTimeout(this.killTimer);
    this.markGone();
  }

  private notRun(severity: 'error' | 'warning', problem: string): void {
    this.log[severity](`${this.label}: ${problem}`);
    this.report({ result: 'failed', ms: Date.now() - this.started, error: problem });
  }

  private logOutcome(code: number | null, signal: NodeJS.Signals | null): void {
    const ms = Date.now() - this.started;
    const result = this.timedOut ? 'timeout' : signal !== null || code !== 0 ? 'failed' : 'ok';
    this.report({ result, ms, ...(code !== null ? { exitCode: code } : {}), ...(signal !== null ? { signal } : {}) });
    const took = `${ms} ms`;
    if (this.timedOut) this.log.warning(`${this.label}: killed by ${signal ?? `exit ${code}`} after time limit`);
    else if (signal !== null) this.log.warning(`${this.label}: killed by ${signal} after ${took}`);
    else if (code !== 0) this.log.warning(`${this.label}: exited with status ${code} after ${took}`);
    else this.log.debug(`${this.label}: done in ${took}`);
  }

  /** Forwards whole lines, capped in length and count: a hook cannot flood the log. */
  private forward(stream: Readable, emit: (text: string) => void): void {
    let partial = '';
    /** The start of an overlong line went out; drop the rest of it. */
    let skipping = false;
    stream.setEncoding('utf8');
    stream.on('error', () => undefined);
    stream.on('data', (chunk: string) => {
      const pieces = chunk.split('\n');
      const tail = pieces.pop()!;
      for (const piece of pieces) {
        if (!skipping) this.emitLine(partial + piece, emit);
        partial = '';
        skipping = false;
      }
      if (skipping) return;
      partial += tail;
      if (partial.length > MAX_LINE_CHARS) {
        this.emitLine(partial, emit);
        partial = '';
        skipping = true;
      }
    });
    stream.on('end', () => {
      if (partial !== '') this.emitLine(partial, emit);
    });
  }

  private emitLine(raw: string, emit: (text: string) => void): void {
    this.lines++;
    if (this.lines === MAX_LINES_PER_RUN + 1) this.log.warning(`${this.label}: ... output truncated`);
    if (this.lines > MAX_LINES_PER_RUN) return;
    const line = raw.replace(/\r$/, '').replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?');
    emit(`${this.label}: ${line.length > MAX_LINE_CHARS ? `${line.slice(0, MAX_LINE_CHARS)}...` : line}`);
  }
}


function environment(t: Transition): NodeJS.ProcessEnv {
  return {
    PATH: SAFE_PATH,
    IFDEPD_GROUP: t.group,
    IFDEPD_STATE: t.state,
    IFDEPD_REASON: t.reason,
    IFDEPD_SOURCES: t.sources.join(','),
    IFDEPD_DESTINATIONS: t.destinations.join(','),
    IFDEPD_DRY_RUN: t.dryRun ? '1' : '0',
  };
}

function spawnError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT':
      return 'no such file (ENOENT)';
    case 'EACCES':
      return 'permission denied (EACCES)';
    default:
      return err.message;
  }
}
