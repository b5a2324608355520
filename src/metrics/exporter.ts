import { collectDefaultMetrics, Registry } from 'prom-client';
import type { DaemonEvent } from '../core/events.js';
import type { DaemonStatus } from '../core/status.js';
import { metricFamilies, type MetricFamilies } from './families.js';
import { countEvent } from './from-events.js';
import { setFromStatus } from './from-status.js';

/** What the exporter reads: the daemon's status at a scrape, its events as they happen. */
export interface MetricsSource {
  status(): DaemonStatus;
  subscribe(listener: (event: DaemonEvent) => void): () => void;
}

/**
 * A scrape flood must not cost a failover its CPU: the text is rendered at most once per
 * this long, and the scrapes meanwhile share that rendering: what a scrape shows is at
 * most this old.
 */
const MIN_RENDER_INTERVAL_MS = 250;

/** ifdepd's metrics (prom-client), for the HTTP endpoint and the textfile. */
export class MetricsExporter {
  private readonly own = new Registry();
  /** ifdepd's metrics and the process's (process_*, nodejs_*), for HTTP. */
  private readonly all: Registry;
  private readonly families: MetricFamilies;
  private readonly unsubscribe: () => void;
  private readonly watchers = new Set<() => void>();
  private cached?: { readonly text: Promise<string>; readonly at: number };

  constructor(
    private readonly source: MetricsSource,
    version: string,
    private readonly now: () => number = () => performance.now(),
  ) {
    this.families = metricFamilies(this.own);
    this.families.build.set({ version }, 1);
    const processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
    this.all = Registry.merge([this.own, processRegistry]);
    this.unsubscribe = source.subscribe((event) => this.observe(event));
  }

  /** The Content-Type of what render() returns. */
  get contentType(): string {
    return this.own.contentType;
  }

  /** Called after anything that changes a metric (the textfile is rewritten then). */
  watch(changed: () => void): () => void {
    this.watchers.add(changed);
    return () => this.watchers.delete(changed);
  }

  /**
   * The exposition text. For HTTP with the process metrics (process_*, nodejs_*); for the
   * textfile without them: node_exporter has its own of those names.
   */
  render(target: 'http' | 'file'): Promise<string> {
    // The textfile is written after a change (at most once a second): always fresh.
    if (target === 'file') return this.fresh(this.own);
    const at = this.now();
    if (this.cached !== undefined && at - this.cached.at < MIN_RENDER_INTERVAL_MS) return this.cached.text;
    const text = this.fresh(this.all);
    this.cached = { text, at };
    return text;
  }

  private fresh(registry: Registry): Promise<string> {
    setFromStatus(this.families, this.source.status());
    return registry.metrics();
  }

  close(): void {
    this.unsubscribe();
    this.watchers.clear();
  }

  private observe(event: DaemonEvent): void {
    if (event.kind === 'log') return;
    countEvent(this.families, event);
    for (const changed of this.watchers) changed();
  }
}
