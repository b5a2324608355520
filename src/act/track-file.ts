import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { retryDelay } from './retry.js';
import type { Logger } from '../logging/logger.js';
import type { Scheduler, Timer } from '../core/clock.js';
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
  private failures = 0;
  private retry?: Timer;
  private closed = false;

  constructor(
    readonly path: string,
    private readonly group: string,
    private readonly log: Logger,
    private readonly dryRun: boolean,
    private readonly scheduler: Scheduler,
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
      await mkdir(dirname(this.path), { recursive: true, mode: 0o755 });
      const temporary = `${this.path}.${process.pid}.tmp`;
      await writeFile(temporary, TRACK_VALUE[decision], { mode: 0o644 });
      await rename(temporary, this.path);
      if (this.failures > 0) this.log.notice(`${this.group}: wrote ${this.path} after ${this.failures + 1} attempts`);
      this.failures = 0;
      this.log.debug(`${this.group}: wrote ${TRACK_VALUE[decision].trim()} (${decision}) to ${this.path}`);
    } catch (err) {
      this.failures += 1;
      const wait = retryDelay(this.failures);
      this.log.warning(`${this.group}: cannot write ${this.path}: ${(err as Error).message}; retrying in ${wait} ms`);
      this.retry = this.scheduler.after(wait, () => {
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
