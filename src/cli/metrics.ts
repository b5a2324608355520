import { dirname } from 'node:path';
import { messageOf } from '../base/errors.js';
import { EX_CANTCREAT, Fatal } from '../base/sysexits.js';
import { untrustedDirectory } from '../base/trusted-path.js';
import { VERSION } from '../base/version.js';
import { describeListenAddress } from '../core/listen-address.js';
import type { Config, MetricsSettings } from '../core/spec.js';
import type { DaemonStatus } from '../core/status.js';
import type { EventBus } from '../daemon/event-bus.js';
import { timers } from '../daemon/timers.js';
import type { Logger } from '../logging/logger.js';
import { MetricsService, type PendingMetrics } from '../metrics/service.js';

/**
 * The metrics, nothing bound yet: the daemon's reloads take their part (reloadingMetrics)
 * before startMetrics() binds the configuration's. The status is asked for once bound.
 */
export function metricsService(status: () => DaemonStatus, events: EventBus, log: Logger): MetricsService {
  return new MetricsService({ status, subscribe: (l) => events.subscribe(l) }, VERSION, log, timers);
}

/**
 * The metrics of the configuration, before the first decision: a listener that cannot
 * bind, or (with -S/-D; a file's is checked when it is read) a metrics file in a directory
 * that fails the checks, stops the start with exit 73.
 */
export async function startMetrics(service: MetricsService, config: Config): Promise<MetricsService> {
  const settings = config.metrics ?? {};
  const place = settings.file === undefined ? undefined : untrustedDirectory(dirname(settings.file));
  if (place !== undefined) throw new Fatal(`metrics file ${settings.file}: ${place}`, EX_CANTCREAT);
  try {
    await service.apply(settings);
  } catch (err) {
    throw new Fatal(bindProblem(settings, err), EX_CANTCREAT);
  }
  return service;
}

/**
 * A reloader that also takes the new file's metrics settings: the new listener is bound
 * with the file read (one that cannot bind refuses the reload), and the reload's outcome
 * (the daemon's `reload` event) commits or drops it.
 */
export function reloadingMetrics(load: () => Promise<Config>, service: MetricsService, events: EventBus): () => Promise<Config> {
  return async () => {
    const config = await load();
    const settings = config.metrics ?? {};
    let pending: PendingMetrics;
    try {
      pending = await service.prepare(settings);
    } catch (err) {
      throw new Error(bindProblem(settings, err));
    }
    const stop = events.subscribe((e) => {
      if (e.kind !== 'reload') return;
      stop();
      if (e.result === 'ok') pending.commit();
      else pending.abort();
    });
    return config;
  };
}

function bindProblem(settings: MetricsSettings, err: unknown): string {
  const where = settings.listen === undefined ? '' : ` ${describeListenAddress(settings.listen)}`;
  return `metrics-listen${where}: cannot listen: ${messageOf(err)}`;
}
