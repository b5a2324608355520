import { unlinkSync } from 'node:fs';
import { dirname } from 'node:path';
import { messageOf } from '../base/errors.js';
import { replaceFile } from '../base/safe-file.js';
import { untrustedDirectory } from '../base/trusted-path.js';
import type { Scheduler, Timer } from '../core/clock.js';
import type { Logger } from '../logging/logger.js';

/** At most one rewrite per this long: a flap storm is not a disk storm. node_exporter reads it at each scrape. */
const MIN_INTERVAL_MS = 1_000;
/**
 * Rewritten at least this often without a change: the ages in it stay true to within it,
 * and node_textfile_mtime_seconds says whether ifdepd is alive (contrib/prometheus).
 */
const REFRESH_MS = 15_000;

export interface FileRenderer {
  render(target: 'file'): Promise<string>;
  watch(changed: () => void): () => void;
}

/**
 * The metrics as a file for node_exporter's textfile collector, on hosts that open no port:
 * rewritten after every change (at most once a second) and every 15 s, replaced atomically (a reader sees
 * the old file or the new one), in a directory checked before each write as for every file
 * root writes. A failure is said once, and again when it works.
 */
export class MetricsTextFile {
  private timer?: Timer;
  private refresh?: Timer;
  private lastWrite = -Infinity;
  private writing = false;
  private dirty = false;
  private failing?: string;
  private closed = false;
  private readonly unwatch: () => void;

  constructor(
    readonly path: string,
    private readonly metrics: FileRenderer,
    private readonly log: Logger,
    private readonly scheduler: Scheduler,
  ) {
    this.unwatch = metrics.watch(() => this.changed());
    this.changed();
  }

  /** Stops, and removes the file: one nobody keeps up to date would show a stale state as current. */
  close(): void {
    this.unwatch();
    this.timer?.cancel();
    this.refresh?.cancel();
    this.timer = this.refresh = undefined;
    this.closed = true;
    try {
      unlinkSync(this.path);
    } catch {
      // never written, or removed by someone else
    }
  }

  private changed(): void {
    if (this.closed) return;
    this.dirty = true;
    if (this.timer !== undefined || this.writing) return;
    const wait = Math.max(0, this.lastWrite + MIN_INTERVAL_MS - this.scheduler.now());
    this.timer = this.scheduler.after(wait, () => {
      this.timer = undefined;
      void this.write();
    });
  }

  private async write(): Promise<void> {
    if (this.closed) return;
    this.dirty = false;
    this.writing = true;
    this.lastWrite = this.scheduler.now();
    try {
      const text = await this.metrics.render('file');
      if (this.closed) return;
      const problem = untrustedDirectory(dirname(this.path));
      if (problem !== undefined) throw new Error(problem);
      replaceFile(this.path, text, { mode: 0o644 });
      if (this.failing !== undefined) this.log.notice(`metrics: ${this.path} written again`);
      this.failing = undefined;
    } catch (err) {
      const why = messageOf(err);
      if (this.failing !== why) this.log.warning(`metrics: cannot write ${this.path}: ${why}`);
      this.failing = why;
    } finally {
      this.writing = false;
      this.refresh?.cancel();
      this.refresh = this.closed ? undefined : this.scheduler.after(REFRESH_MS, () => this.changed());
      if (this.dirty) this.changed();
    }
  }
}
