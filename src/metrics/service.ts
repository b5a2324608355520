import { describeListenAddress, sameListenAddress, type ListenAddress } from '../core/listen-address.js';
import type { Scheduler } from '../core/clock.js';
import type { MetricsSettings } from '../core/spec.js';
import type { Logger } from '../logging/logger.js';
import { MetricsExporter, type MetricsSource } from './exporter.js';
import { MetricsEndpoint } from './http-endpoint.js';
import { MetricsTextFile } from './text-file.js';

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

  /** The port the endpoint is bound to, if any. */
  get port(): number | undefined {
    return this.endpoint?.port;
  }

  /**
   * Applies the settings. A new listener is bound before the old one is closed: if it
   * cannot bind, this throws (at start: exit 73; at reload: refused) and nothing changed.
   * (So a reload cannot move the listener to an address overlapping the old one, such as
   * 127.0.0.1:P to 0.0.0.0:P: that takes a restart.)
   */
  async apply(settings: MetricsSettings): Promise<void> {
    if (settings.listen === undefined && settings.file === undefined) return this.close();
    const created = this.exporter === undefined;
    const exporter = (this.exporter ??= new MetricsExporter(this.source, this.version));
    if (!sameListenAddress(this.endpoint?.address, settings.listen)) {
      try {
        await this.moveListener(settings.listen, exporter);
      } catch (err) {
        if (created && this.file === undefined) await this.close();
        throw err;
      }
    }
    this.applyFile(settings.file, exporter);
  }

  async close(): Promise<void> {
    this.file?.close();
    await this.endpoint?.close();
    this.exporter?.close();
    this.file = this.endpoint = this.exporter = undefined;
  }

  private async moveListener(listen: ListenAddress | undefined, exporter: MetricsExporter): Promise<void> {
    const fresh = listen === undefined ? undefined : await MetricsEndpoint.listen(listen, exporter, this.log);
    await this.endpoint?.close();
    this.endpoint = fresh;
    if (listen !== undefined) this.log.info(`metrics: serving http://${describeListenAddress(listen)}/metrics`);
  }

  private applyFile(path: string | undefined, exporter: MetricsExporter): void {
    if (this.file?.path === path) return;
    this.file?.close();
    this.file = path === undefined ? undefined : new MetricsTextFile(path, exporter, this.log, this.scheduler);
  }
}
