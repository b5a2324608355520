import { spawn, type ChildProcess } from 'node:child_process';
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { messageOf } from '../base/message.js';
import type { HookSpec } from '../core/spec.js';
import type { Logger } from '../logging/logger.js';
import type { Decision } from '../core/types.js';

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

/** One run of one hook: its output, its time limit, its outcome in the log. */
export class HookProcess {
  readonly done: Promise<void>;
  private readonly label: string;
  private readonly started = Date.now();
  private child: ChildProcess | undefined;
  private lines = 0;
  private timedOut = false;
  private killTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly hook: HookSpec,
    t: Transition,
    private readonly log: Logger,
  ) {
    this.label = `hook ${basename(hook.path)} (${t.group} ${t.state})`;
    this.done = new Promise((resolve) => this.start(t, resolve));
  }

  /** SIGTERM to the hook's process group, SIGKILL if it is still there a second later. */
  terminate(): void {
    this.signal('SIGTERM');
    this.killTimer ??= setTimeout(() => {
      if (this.child?.exitCode === null && this.child.signalCode === null) {
        this.log.warning(`${this.label}: still running ${KILL_GRACE_MS} ms after SIGTERM, sending SIGKILL`);
        this.signal('SIGKILL');
      }
    }, KILL_GRACE_MS);
  }

  private start(t: Transition, resolve: () => void): void {
    let finished = false;
    const finish = (outcome: () => void): void => {
      if (finished) return;
      finished = true;
      clearTimeout(limit);
      clearTimeout(this.killTimer);
      outcome();
      resolve();
    };
    const limit = setTimeout(() => {
      this.timedOut = true;
      this.log.warning(`${this.label}: timed out after ${this.hook.timeoutMs} ms, sending SIGTERM`);
      this.terminate();
    }, this.hook.timeoutMs);
    try {
      this.child = spawn(this.hook.path, [...this.hook.args], {
        env: environment(t),
        stdio: ['ignore', 'pipe', 'pipe'],
        cwd: '/',
        // Its own process group, so a timeout also reaches what the hook started.
        detached: true,
      });
    } catch (err) {
      finish(() => this.log.warning(`${this.label}: cannot run ${this.hook.path}: ${messageOf(err)}`));
      return;
    }
    const child = this.child;
    child.on('error', (err: NodeJS.ErrnoException) => {
      // Without a pid the exec failed; otherwise a kill failed, and 'close' still follows.
      if (child.pid === undefined) finish(() => this.log.warning(`${this.label}: cannot run ${this.hook.path}: ${spawnError(err)}`));
    });
    this.forward(child.stdout!, (line) => this.log.info(line));
    this.forward(child.stderr!, (line) => this.log.warning(line));
    child.on('close', (code, signal) => finish(() => this.logOutcome(code, signal)));
    // A grandchild that left the process group may hold our pipes open forever.
    child.on('exit', () => setTimeout(() => {
      child.stdout?.destroy();
      child.stderr?.destroy();
    }, KILL_GRACE_MS).unref());
  }

  private logOutcome(code: number | null, signal: NodeJS.Signals | null): void {
    const took = `${Date.now() - this.started} ms`;
    if (this.timedOut) this.log.warning(`${this.label}: killed by ${signal ?? `exit ${code}`} after time limit`);
    else if (signal !== null) this.log.warning(`${this.label}: killed by ${signal} after ${took}`);
    else if (code !== 0) this.log.warning(`${this.label}: exited with status ${code} after ${took}`);
    else this.log.debug(`${this.label}: done in ${took}`);
  }

  private signal(signal: NodeJS.Signals): void {
    const child = this.child;
    if (child?.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
    try {
      process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
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
