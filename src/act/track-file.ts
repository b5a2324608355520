import { dirname } from 'node:path';
import { makeTrustedDirectory } from '../base/safe-directory.js';
import { replaceFile } from '../base/safe-file.js';
import { messageOf } from '../base/errors.js';
import { formatDuration } from '../core/duration.js';
import { NO_EVENTS, type EventSink } from '../core/events.js';
import { FailureRecord, type FailedAttempt } from './failure.js';
import type { Logger } from '../logging/logger.js';
import type { Scheduler, Timer } from '../core/clock.js';
import type { TrackFileStatus } from '../core/status.js';
import type { Decision } from '../core/types.js';

/**
 * keepalived's track_file: keepalived watches the file and reads an integer from it.
 * With `weight 0`, any value but 0 puts the VRRP instance in FAULT. ifdepd writes 0
 * when the group is up and 1 when it is down, replacing the file atomically so that
 * keepalived never reads half a write.
 */
export const TRACK_VALUE: Readonly<Record<Decision, string>> = { up: '0\n', down: '1\n' };

export class TrackFile {
  private wanted?: Decision;
  private writing = false;
  private readonly failure = new FailureRecord();
  /** What the file says since ifdepd last wrote it. */
  private written?: Decision;
  private retry?: Timer;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly group: string,
    private readonly log: Logger,
    private readonly dryRun: boolean,
    private readonly scheduler: Scheduler,
    private readonly events: EventSink = NO_EVENTS,
  ) {}

  /** Writes the decision (again): at start, on every change, on reload and SIGHUP. */
  set(decision: Decision): void {
    this.wanted = decision;
    if (this.dryRun) {
      this.log.notice(`dry-run: would write ${TRACK_VALUE[decision].trim()} (${decision}) to ${this.path}`);
      return;
    }
    this.retry?.cancel();
    this.retry = undefined;
    void this.flush();
  }

  status(wanted: Decision): TrackFileStatus {
    const failing = this.failure.status(this.scheduler.now());
    return {
      path: this.path,
      group: this.group,
      wanted,
      ...(this.written !== undefined ? { written: this.written } : {}),
      ...(failing !== undefined ? { failing } : {}),
    };
  }

  close(): void {
    this.closed = true;
    this.retry?.cancel();
  }

  private async flush(): Promise<void> {
    if (this.writing || this.closed) return;
    this.writing = true;
    const decision = this.wanted;
    try {
      if (decision === undefined) return;
      writeTrackFile(this.path, TRACK_VALUE[decision]);
      this.written = decision;
      const failed = this.failure.cleared();
      if (failed > 0) this.log.notice(`${this.group}: wrote ${this.path} after ${failed + 1} attempts`);
      this.log.debug(`${this.group}: wrote ${TRACK_VALUE[decision].trim()} (${decision}) to ${this.path}`);
      this.events.emit({ kind: 'trackfile', group: this.group, path: this.path, wanted: decision, outcome: 'written' });
    } catch (err) {
      if (decision !== undefined) {
        this.events.emit({ kind: 'trackfile', group: this.group, path: this.path, wanted: decision, outcome: 'failed', error: messageOf(err) });
      }
      const a = this.failure.failed(err, decision ?? 'up', this.scheduler.now());
      if (a.say) this.log[a.kind === 'permanent' || a.attempts > 1 ? 'error' : 'warning'](failureLine(this.group, this.path, a));
      this.retry = this.scheduler.after(a.wait, () => {
        this.retry = undefined;
        void this.flush();
      });
    } finally {
      this.writing = false;
    }
    // A decision that changed during the write is written next.
    if (this.wanted !== decision && this.retry === undefined) void this.flush();
  }
}

/** Said at once, then every 5 minutes while it keeps failing. */
function failureLine(group: string, path: string, a: FailedAttempt): string {
  const pace = a.kind === 'permanent' ? `permanent error, retrying every ${formatDuration(a.wait)}` : `retrying in ${formatDuration(a.wait)}`;
  const still = a.attempts > 1 ? `still cannot write ${path} after ${a.attempts} attempts` : `cannot write ${path}`;
  return `${group}: ${still}: ${a.error}; ${pace}`;
}

/**
 * Root writes here: only in a directory that passes the StrictModes checks (made 0755 if
 * missing, below one that does), and never through a name someone could have planted.
 */
function writeTrackFile(path: string, value: string): void {
  const problem = makeTrustedDirectory(dirname(path), 0o755);
  // Refused by policy: it will not pass by itself (a permanent failure, retried slowly).
  if (problem !== undefined) throw Object.assign(new Error(problem), { code: 'EPERM' });
  replaceFile(path, value, { mode: 0o644 });
}
