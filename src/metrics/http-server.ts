import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { monotonicMs } from '../base/monotonic.js';
import type { ListenAddress } from '../core/listen-address.js';
import { ConnectionSlots } from './connection-slots.js';

/**
 * The /metrics HTTP server, in a worker thread of its own (started by http-endpoint.ts):
 * parsing requests and writing answers, however many clients come and however slowly
 * they read, never takes the event loop that carries every failover. It asks the main
 * thread for the text at most once per FRESH_MS and serves every scrape meanwhile from
 * the copy it has.
 */

/**
 * Scrapers are few: beyond MAX_CONNECTIONS, the connections that have waited longest for a
 * request are closed, and beyond HARD_CONNECTIONS, newcomers still get in at the expense of
 * the longest waiting one (connection-slots.ts says why: half-sent requests must not keep
 * a real scrape out).
 */
const MAX_CONNECTIONS = 16;
const HARD_CONNECTIONS = 64;
/** How long a connection may wait for its request before it may be closed to make room. */
const SLOT_GRACE_MS = 500;
const SWEEP_MS = 100;
/**
 * A request's headers come with the connection; a client still sending them after this is
 * closed. Node only looks every `connectionsCheckingInterval` (30 s by default, which left
 * half-sent requests 5-35 s): here every CHECK_MS.
 */
const HEADERS_TIMEOUT_MS = 3_000;
const CHECK_MS = 500;
const REQUEST_TIMEOUT_MS = 10_000;
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How old a copy of the text may be when it is served. */
const FRESH_MS = 250;
/**
 * Scrapes answered per second, at most (a burst of as many): a Prometheus server scrapes
 * every 15 s or so. Beyond it, a connection is cut at once: a flood costs this thread,
 * and the CPUs it shares with the daemon, as little as a request can.
 */
const SCRAPES_PER_SECOND = 20;

/** Messages between the threads. */
export type ToWorker = { readonly kind: 'text'; readonly text: string; readonly contentType: string } | { readonly kind: 'failed'; readonly message: string };
export type FromWorker =
  | { readonly kind: 'listening' }
  | { readonly kind: 'cannot-listen'; readonly message: string }
  | { readonly kind: 'render' }
  | { readonly kind: 'warning'; readonly message: string };

export interface ServerData {
  readonly ifdepdMetricsListen: ListenAddress;
}

type Waiter = (answer: ToWorker) => void;

function serve(address: ListenAddress, port: NonNullable<typeof parentPort>): void {
  const send = (m: FromWorker) => port.postMessage(m);
  let copy: { readonly text: string; readonly contentType: string; readonly at: number } | undefined;
  const waiting: Waiter[] = [];
  port.on('message', (m: ToWorker) => {
    if (m.kind === 'text') copy = { text: m.text, contentType: m.contentType, at: monotonicMs() };
    for (const w of waiting.splice(0)) w(m);
  });
  const text = (then: Waiter) => {
    if (copy !== undefined && monotonicMs() - copy.at < FRESH_MS) return then({ kind: 'text', ...copy });
    waiting.push(then);
    if (waiting.length === 1) send({ kind: 'render' });
  };

  const allowed = tokenBucket(SCRAPES_PER_SECOND);
  const slots = new ConnectionSlots<Socket>({ soft: MAX_CONNECTIONS, hard: HARD_CONNECTIONS, graceMs: SLOT_GRACE_MS });
  const close = (sockets: readonly Socket[]) => sockets.forEach((s) => s.destroy());
  const options = {
    requestTimeout: REQUEST_TIMEOUT_MS,
    headersTimeout: HEADERS_TIMEOUT_MS,
    keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
    connectionsCheckingInterval: CHECK_MS,
  };
  const server = createServer(options, (req, res) => {
    const socket = req.socket;
    if (!allowed()) return void socket.destroy();
    slots.busy(socket);
    res.once('finish', () => slots.idle(socket, monotonicMs()));
    answer(req, res, text);
  });
  server.on('connection', (socket: Socket) => {
    socket.once('close', () => slots.gone(socket));
    close(slots.admit(socket, monotonicMs()));
  });
  // The connections over MAX_CONNECTIONS are closed once they have waited SLOT_GRACE_MS,
  // even if nobody else connects meanwhile.
  setInterval(() => close(slots.sweep(monotonicMs())), SWEEP_MS).unref();
  // ConnectionSlots keeps the count at HARD_CONNECTIONS; this is only the backstop.
  server.maxConnections = 2 * HARD_CONNECTIONS;
  server.maxHeadersCount = 32;
  server.on('clientError', (_err, socket) => socket.destroy());
  server.once('error', (err) => send({ kind: 'cannot-listen', message: (err as NodeJS.ErrnoException).code ?? err.message }));
  server.listen({ host: address.host, port: address.port, exclusive: true }, () => {
    server.on('error', (err) => send({ kind: 'warning', message: err.message }));
    send({ kind: 'listening' });
  });
}

/** True while fewer than `rate` requests came in the last second (refilled continuously). */
function tokenBucket(rate: number): () => boolean {
  let tokens = rate;
  let at = monotonicMs();
  return () => {
    const now = monotonicMs();
    tokens = Math.min(rate, tokens + ((now - at) * rate) / 1000);
    at = now;
    if (tokens < 1) return false;
    tokens -= 1;
    return true;
  };
}

function answer(req: IncomingMessage, res: ServerResponse, text: (then: Waiter) => void): void {
  const path = (req.url ?? '').split('?')[0];
  if (path !== '/metrics') return plain(res, 404, 'not found: ifdepd serves /metrics only\n');
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.setHeader('Allow', 'GET, HEAD');
    return plain(res, 405, 'method not allowed\n');
  }
  text((m) => {
    if (m.kind === 'failed') return plain(res, 500, 'rendering the metrics failed\n');
    res.writeHead(200, { 'Content-Type': m.contentType, 'Content-Length': Buffer.byteLength(m.text) });
    res.end(req.method === 'HEAD' ? undefined : m.text);
  });
}

function plain(res: ServerResponse, code: number, body: string): void {
  res.writeHead(code, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

const isServerData = (data: unknown): data is ServerData =>
  typeof data === 'object' && data !== null && typeof (data as Partial<ServerData>).ifdepdMetricsListen === 'object';

if (!isMainThread && parentPort !== null && isServerData(workerData)) serve(workerData.ifdepdMetricsListen, parentPort);
