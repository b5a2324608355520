import { Worker } from 'node:worker_threads';
import { messageOf } from '../base/errors.js';
import { describeListenAddress, type ListenAddress } from '../core/listen-address.js';
import type { Logger } from '../logging/logger.js';
import type { FromWorker, ServerData, ToWorker } from './http-server.js';

/** The thread serves one small text; a runaway is cut here. */
const WORKER_HEAP_MB = 64;

export interface MetricsRenderer {
  readonly contentType: string;
  render(target: 'http'): Promise<string>;
}

/**
 * GET /metrics over HTTP, and nothing else (other paths 404, other methods 405), served
 * by a worker thread (http-server.ts) so that a flood of scrapes or a slow client costs
 * the daemon's event loop at most a rendering every 250 ms. An error in one exchange is
 * that client's, never the daemon's; a thread that dies is logged, and the daemon goes on.
 */
export class MetricsEndpoint {
  private closing = false;

  private constructor(
    private readonly worker: Worker,
    readonly address: ListenAddress,
  ) {}

  /** Resolves once the address is bound; rejects with the reason (EADDRINUSE...) if it cannot be. */
  static listen(address: ListenAddress, metrics: MetricsRenderer, log: Logger): Promise<MetricsEndpoint> {
    const data: ServerData = { ifdepdMetricsListen: address };
    const worker = new Worker(new URL('./http-server.js', import.meta.url), { workerData: data, resourceLimits: { maxOldGenerationSizeMb: WORKER_HEAP_MB } });
    const endpoint = new MetricsEndpoint(worker, address);
    const where = `metrics: listener ${describeListenAddress(address)}`;
    return new Promise((resolve, reject) => {
      let bound = false;
      worker.on('message', (m: FromWorker) => {
        if (m.kind === 'listening') {
          bound = true;
          resolve(endpoint);
        } else if (m.kind === 'cannot-listen') {
          void worker.terminate();
          reject(new Error(m.message));
        } else if (m.kind === 'render') {
          metrics.render('http').then(
            (text) => worker.postMessage({ kind: 'text', text, contentType: metrics.contentType } satisfies ToWorker),
            (err: unknown) => worker.postMessage({ kind: 'failed', message: messageOf(err) } satisfies ToWorker),
          );
        } else {
          log.warning(`${where}: ${m.message}`);
        }
      });
      worker.on('error', (err) => {
        if (!bound) reject(err);
        else log.warning(`${where}: the serving thread failed: ${messageOf(err)}`);
      });
      worker.on('exit', (code) => {
        if (!bound) reject(new Error(`the serving thread exited (${code})`));
        else if (!endpoint.closing) log.warning(`${where}: the serving thread exited (${code}); no more scrapes until a restart`);
      });
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await this.worker.terminate();
  }
}
