import type { Registry } from 'prom-client';
import { promClient } from './prom-client-package.js';
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

/** ifdepd's metrics (prom-client), for the HTTP endpoint and the textfile. */
export class MetricsExporter {
  private readonly own = new promClient.Registry();
  /** ifdepd's metrics and the process's (process_*, nodejs_*), for HTTP. */
  private readonly all: Registry;
  private readonly families: MetricFamilies;
  private readonly unsubscribe: () => void;
  private readonly watchers = new Set<() => void>();

  constructor(
    private readonly source: MetricsSource,
    version: string,
  ) {
    this.families = metricFamilies(this.own);
    this.families.build.set({ version }, 1);
    const processRegistry = new promClient.Registry();
    promClient.collectDefaultMetrics({ register: processRegistry });
    this.all = promClient.Registry.merge([this.own, processRegistry]);
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
   * The exposition text, read afresh. For HTTP with the process metrics (process_*,
   * nodejs_*); for the textfile without them: node_exporter has its own of those names.
   * (The HTTP thread asks at most every 250 ms, whatever the scrapes: http-server.ts.)
   */
  render(target: 'http' | 'file'): Promise<string> {
    setFromStatus(this.families, this.source.status());
    return (target === 'http' ? this.all : this.own).metrics();
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
