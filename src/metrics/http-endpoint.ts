import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { describeListenAddress, type ListenAddress } from '../core/listen-address.js';
import { messageOf } from '../base/message.js';
import type { Logger } from '../logging/logger.js';

/** Scrapers are few; more at once is a flood: Node drops the connections beyond it. */
const MAX_CONNECTIONS = 16;
/** A client gets this long for its headers, and for the whole exchange. */
const HEADERS_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;

export interface MetricsRenderer {
  readonly contentType: string;
  render(target: 'http'): Promise<string>;
}

/**
 * GET /metrics over HTTP, and nothing else: other paths 404, other methods 405. Slow or
 * abusive clients are cut off by the timeouts and the connection limit; an error in one
 * exchange is that client's, never the daemon's.
 */
export class MetricsEndpoint {
  private constructor(
    private readonly server: Server,
    readonly address: ListenAddress,
  ) {}

  static async listen(address: ListenAddress, metrics: MetricsRenderer, log: Logger): Promise<MetricsEndpoint> {
    const server = createServer({ requestTimeout: REQUEST_TIMEOUT_MS, headersTimeout: HEADERS_TIMEOUT_MS, keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }, (req, res) =>
      answer(req, res, metrics, log),
    );
    server.maxConnections = MAX_CONNECTIONS;
    server.maxHeadersCount = 32;
    server.on('clientError', (_err, socket) => socket.destroy());
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    server.on('error', (err) => log.warning(`metrics: listener ${describeListenAddress(address)}: ${messageOf(err)}`));
    return new MetricsEndpoint(server, address);
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }
}

function answer(req: IncomingMessage, res: ServerResponse, metrics: MetricsRenderer, log: Logger): void {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') return plain(res, 404, 'not found: ifdepd serves /metrics only\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, 405, 'method not allowed\n');
  }
  metrics.render('http').then(
    (text) => {
      res.writeHead(200, { 'Content-Type': metrics.contentType, 'Content-Length': Buffer.byteLength(text) });
      res.end(req.method === 'HEAD' ? undefined : text);
    },
    (err: unknown) => {
      log.warning(`metrics: rendering failed: ${messageOf(err)}`);
      plain(res, 500, 'rendering the metrics failed\n');
    },
  );
}

function plain(res: ServerResponse, code: number, text: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}
