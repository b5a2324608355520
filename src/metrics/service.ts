import { describeListenAddress, sameListenAddress, type ListenAddress } from '../core/listen-address.js';
import type { Scheduler } from '../core/clock.js';
import type { MetricsSettings } from '../core/spec.js';
import type { Logger } from '../logging/logger.js';
import type { MetricsExporter, MetricsSource } from './exporter.js';
import type { MetricsEndpoint } from './http-endpoint.js';
import type { MetricsTextFile } from './text-file.js';

/** A reload's metrics settings, bound and waiting for the groups' verdict. */
export interface PendingMetrics {
  commit(): void;
  abort(): void;
}

/**
 * The metrics as configured (`metrics-listen`, `metrics-file`): an HTTP endpoint, a
 * textfile, both or neither. With neither, nothing subscribes to the daemon's events.
 */
export class MetricsService {
  private exporter?: MetricsExporter;
  private endpoint?: MetricsEndpoint;
  private file?: MetricsTextFile;

  constructor(
    private readonly source: MetricsSource,
    private readonly version: string,
    private readonly log: Logger,
    private readonly scheduler: Scheduler,
  ) {}

  /** Applies the settings at start: throws (exit 73) if the listener cannot bind. */
  async apply(settings: MetricsSettings): Promise<void> {
    (await this.prepare(settings)).commit();
  }

  /**
   * A reload's part: the new listener is bound now, before the old one is closed, so that
   * one that cannot bind refuses the reload (this throws) and changes nothing. commit()
   * then moves to it, abort() drops it (the groups refused the file). So a reload cannot
   * move the listener to an address overlapping the old one (127.0.0.1:P to 0.0.0.0:P).
   */
  async prepare(settings: MetricsSettings): Promise<PendingMetrics> {
    if (settings.listen === undefined && settings.file === undefined) return { commit: () => void this.close(), abort: () => undefined };
    const created = this.exporter === undefined;
    // prom-client (and the OpenTelemetry API it loads) is read only by a daemon that exports
    // metrics: ~12 MiB of RSS the others do not carry.
    if (this.exporter === undefined) {
      const { MetricsExporter: Exporter } = await import('./exporter.js');
      this.exporter ??= new Exporter(this.source, this.version);
    }
    const exporter = this.exporter;
    const dropExporter = () => {
      if (created && this.endpoint === undefined && this.file === undefined) this.closeExporter();
    };
    const moved = !sameListenAddress(this.endpoint?.address, settings.listen);
    let fresh: MetricsEndpoint | undefined;
    // The listener's worker and the file's writer are loaded, like prom-client, when used.
    const TextFile = settings.file === undefined ? undefined : (await import('./text-file.js')).MetricsTextFile;
    try {
      if (moved && settings.listen !== undefined) fresh = await (await import('./http-endpoint.js')).MetricsEndpoint.listen(settings.listen, exporter, this.log);
    } catch (err) {
      dropExporter();
      throw err;
    }
    return {
      commit: () => {
        if (moved) this.moveTo(fresh, settings.listen);
        this.applyFile(settings.file, exporter, TextFile);
      },
      abort: () => {
        void fresh?.close();
        dropExporter();
      },
    };
  }

  async close(): Promise<void> {
    this.file?.close();
    this.file = undefined;
    const endpoint = this.endpoint;
    this.endpoint = undefined;
    this.closeExporter();
    await endpoint?.close();
  }

  private moveTo(fresh: MetricsEndpoint | undefined, listen: ListenAddress | undefined): void {
    void this.endpoint?.close();
    this.endpoint = fresh;
    if (listen !== undefined) this.log.info(`metrics: serving http://${describeListenAddress(listen)}/metrics`);
  }

  private closeExporter(): void {
    this.exporter?.close();
    this.exporter = undefined;
  }

  private applyFile(path: string | undefined, exporter: MetricsExporter, TextFile: typeof MetricsTextFile | undefined): void {
    if (this.file?.path === path) return;
    this.file?.close();
    this.file = path === undefined || TextFile === undefined ? undefined : new TextFile(path, exporter, this.log, this.scheduler);
  }
}
