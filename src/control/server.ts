import { chmodSync, lstatSync, mkdirSync, statSync, unlinkSync } from 'node:fs';
import { createConnection, createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../logging/logger.js';
import type { ControlHandler, ControlReply, ControlRequest } from './api.js';
import { encodeReply, MAX_REQUEST_BYTES, parseRequest } from './protocol.js';

/** A client that says nothing for this long is gone or hostile. */
const IDLE_TIMEOUT_MS = 10_000;
/** Operators run one command at a time; more than this is a runaway script or a flood. */
const MAX_CONNECTIONS = 16;
/** A hung daemon still has its socket in the kernel's backlog: give the probe this long. */
const PROBE_TIMEOUT_MS = 1000;
const NEWLINE = 0x0a;

/** The control socket: newline-delimited JSON requests from `ifdepd status` and friends. */
export class ControlServer {
  private readonly connections = new Set<Connection>();
  private readonly refusals: RefusalLog;
  private atLimit = false;

  private constructor(
    private readonly server: Server,
    private readonly handler: ControlHandler,
    private readonly log: Logger,
    readonly path: string,
  ) {
    this.refusals = new RefusalLog(log);
  }

  static async listen(path: string, handler: ControlHandler, log: Logger): Promise<ControlServer> {
    ensurePrivateDir(dirname(path));
    await clearStaleSocket(path);
    const server = createServer({ allowHalfOpen: false });
    const control = new ControlServer(server, handler, log, path);
    server.on('connection', (socket) => control.accept(socket));
    await bindPrivately(server, path);
    // Once listening, a failed accept (EMFILE) is logged; without a listener it would crash us.
    server.on('error', (err) => log.warning(`control socket ${path}: ${err.message}`));
    return control;
  }

  /** Stops listening, drops every client and removes the socket file. */
  close(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }

  private accept(socket: Socket): void {
    socket.on('error', (err) => this.log.debug(`control: client error: ${err.message}`));
    if (this.connections.size >= MAX_CONNECTIONS) {
      this.refuseOverLimit(socket);
      return;
    }
    const connection = new Connection(socket, this.handler, this.log, this.refusals);
    this.connections.add(connection);
    socket.on('close', () => {
      this.connections.delete(connection);
      if (this.connections.size < MAX_CONNECTIONS) this.atLimit = false;
    });
  }

  private refuseOverLimit(socket: Socket): void {
    // One line per burst: a connection flood must not become a log flood.
    if (!this.atLimit) this.log.warning(`control: ${MAX_CONNECTIONS} clients connected, refusing more`);
    this.atLimit = true;
    endWith(socket, { ok: false, error: 'too many connections' });
  }
}

/** One client: requests are answered in order, one at a time. */
class Connection {
  private buffered: Buffer = Buffer.alloc(0);
  /** Handling a request, or waiting for the client to read our reply. */
  private busy = false;
  private finished = false;
  /** Refusals are logged once per connection, then only at debug. */
  private refusedBefore = false;

  constructor(
    private readonly socket: Socket,
    private readonly handler: ControlHandler,
    private readonly log: Logger,
    private readonly refusals: RefusalLog,
  ) {
    socket.setTimeout(IDLE_TIMEOUT_MS);
    socket.on('timeout', () => {
      this.log.debug('control: closing idle connection');
      this.destroy();
    });
    socket.on('data', (chunk: Buffer) => this.receive(chunk));
    socket.on('close', () => {
      this.finished = true;
    });
  }

  destroy(): void {
    this.finished = true;
    this.socket.destroy();
  }

  private receive(chunk: Buffer): void {
    if (this.finished) return;
    this.buffered = this.buffered.length === 0 ? chunk : Buffer.concat([this.buffered, chunk]);
    this.pump();
  }

  private pump(): void {
    if (!this.busy && !this.finished) {
      const end = this.buffered.indexOf(NEWLINE);
      const lineBytes = end === -1 ? this.buffered.length : end;
      if (lineBytes > MAX_REQUEST_BYTES) return this.refuseTooLarge();
      if (end !== -1) {
        const line = this.buffered.subarray(0, end).toString('utf8').replace(/\r$/, '');
        this.buffered = this.buffered.subarray(end + 1);
        if (line.trim() !== '') this.handle(line);
        // One request per turn of the event loop: a client that floods the socket
        // must not hold back link notifications and timers behind its requests.
        if (!this.busy && !this.finished && this.buffered.indexOf(NEWLINE) !== -1) {
          this.socket.pause();
          setImmediate(() => this.pump());
          return;
        }
      }
    }
    // Backpressure: while a reply is outstanding, leave further requests in the kernel.
    if (this.busy) this.socket.pause();
    else if (!this.finished) this.socket.resume();
  }

  private refuseTooLarge(): void {
    this.refused('request too large');
    this.finished = true;
    this.buffered = Buffer.alloc(0);
    endWith(this.socket, { ok: false, error: 'request too large' });
  }

  private handle(line: string): void {
    let request: ControlRequest;
    try {
      request = parseRequest(line);
    } catch (err) {
      this.refused(`invalid request: ${messageOf(err)}`);
      this.reply({ ok: false, error: messageOf(err) });
      return;
    }
    this.log.debug(`control: ${describe(request)}`);
    if (request.cmd === 'reload') this.reload();
    else this.reply(this.answer(request));
  }

  private answer(request: Exclude<ControlRequest, { cmd: 'reload' }>): ControlReply {
    try {
      switch (request.cmd) {
        case 'status':
          return { ok: true, status: this.handler.status() };
        case 'hold':
          return { ok: true, message: this.handler.hold(request.group, request.state) };
        case 'release':
          return { ok: true, message: this.handler.release(request.group) };
      }
    } catch (err) {
      this.refused(`${describe(request)} refused: ${messageOf(err)}`);
      return { ok: false, error: messageOf(err) };
    }
  }

  private reload(): void {
    this.busy = true;
    // A reload may outlast the idle timeout; the client is waiting on us, not idle.
    this.socket.setTimeout(0);
    let outcome: Promise<string>;
    try {
      outcome = this.handler.reload();
    } catch (err) {
      outcome = Promise.reject(err);
    }
    outcome
      .then(
        (message): ControlReply => ({ ok: true, message }),
        (err: unknown): ControlReply => {
          this.refused(`reload refused: ${messageOf(err)}`);
          return { ok: false, error: messageOf(err) };
        },
      )
      .then((reply) => {
        this.busy = false;
        this.socket.setTimeout(IDLE_TIMEOUT_MS);
        this.reply(reply);
        this.pump();
      })
      .catch((err: unknown) => this.log.error(`control: reload reply failed: ${messageOf(err)}`));
  }

  private reply(reply: ControlReply): void {
    if (this.finished) return;
    if (this.socket.write(encodeReply(reply))) return;
    this.busy = true;
    this.socket.once('drain', () => {
      this.busy = false;
      this.pump();
    });
  }

  private refused(text: string): void {
    if (this.refusedBefore) {
      this.log.debug(`control: ${text}`);
      return;
    }
    this.refusedBefore = true;
    this.refusals.warn(text);
  }
}

/**
 * Refusals across all clients, at most one warning a second: a client that keeps
 * reconnecting to send garbage must not flood the log. What was held back is counted
 * in the next warning.
 */
class RefusalLog {
  private last = -Infinity;
  private held = 0;

  constructor(private readonly log: Logger) {}

  warn(text: string): void {
    const now = performance.now();
    if (now - this.last < 1000) {
      this.held += 1;
      this.log.debug(`control: ${text}`);
      return;
    }
    const more = this.held > 0 ? ` (and ${this.held} more refusals in the last ${Math.round((now - this.last) / 1000)} s)` : '';
    this.last = now;
    this.held = 0;
    this.log.warning(`control: ${text}${more}`);
  }
}

/** Sends a last reply, then drops the client without reading whatever it still sends. */
function endWith(socket: Socket, reply: ControlReply): void {
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
  socket.end(encodeReply(reply), () => socket.destroy());
}

/** Creates the socket's directory owner-only; an existing one is the administrator's to set. */
function ensurePrivateDir(dir: string): void {
  try {
    if (statSync(dir).isDirectory()) return;
    throw new Error(`control socket directory ${dir} is not a directory`);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  try {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700); // the umask may have stripped bits from mode
  } catch (err) {
    throw new Error(`cannot create control socket directory ${dir}: ${messageOf(err)}`);
  }
}

/** Removes a socket left by a dead daemon; refuses to take one a live daemon answers on. */
async function clearStaleSocket(path: string): Promise<void> {
  const state = await probe(path);
  if (state === 'absent') return;
  if (state === 'live') throw new Error(`another ifdepd is listening on ${path}`);
  // connect(2) on a regular file also says ECONNREFUSED: never unlink what is not a socket.
  if (!lstatSync(path).isSocket()) throw new Error(`${path} exists and is not a socket`);
  try {
    unlinkSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new Error(`cannot remove stale control socket ${path}: ${messageOf(err)}`);
    }
  }
}

function probe(path: string): Promise<'live' | 'stale' | 'absent'> {
  return new Promise((resolve, reject) => {
    const socket = createConnection(path);
    const settle = (outcome: () => void): void => {
      clearTimeout(timer);
      socket.destroy();
      outcome();
    };
    // Connected, backlog full (EAGAIN) or silent: somebody is alive there.
    const timer = setTimeout(() => settle(() => resolve('live')), PROBE_TIMEOUT_MS);
    socket.on('connect', () => settle(() => resolve('live')));
    socket.on('error', (err: NodeJS.ErrnoException) => {
      settle(() => {
        if (err.code === 'ENOENT') resolve('absent');
        else if (err.code === 'ECONNREFUSED') resolve('stale');
        else if (err.code === 'EAGAIN') resolve('live');
        else reject(new Error(`cannot check control socket ${path}: ${err.message}`));
      });
    });
  });
}

/**
 * Binds with umask 0177 so the socket is born 0600. Permission on a Unix socket is only
 * checked at connect(2): a chmod after bind alone would leave a window in which a local
 * user could connect through a loose umask and keep that connection past the chmod.
 * The chmod still follows, for where the umask cannot be set (worker threads).
 */
async function bindPrivately(server: Server, path: string): Promise<void> {
  const listening = new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', (err) => reject(new Error(`cannot listen on ${path}: ${err.message}`)));
  });
  const saved = setUmask(0o177);
  try {
    // Node binds a path synchronously inside listen() when not clustered (exclusive).
    server.listen({ path, exclusive: true });
  } finally {
    if (saved !== undefined) process.umask(saved);
  }
  await listening;
  try {
    chmodSync(path, 0o600);
  } catch (err) {
    server.close();
    throw new Error(`cannot restrict control socket ${path}: ${messageOf(err)}`);
  }
}

function setUmask(mask: number): number | undefined {
  try {
    return process.umask(mask);
  } catch {
    return undefined; // worker threads may not change the umask
  }
}

function describe(request: ControlRequest): string {
  switch (request.cmd) {
    case 'hold':
      return `hold ${request.group} ${request.state}`;
    case 'release':
      return `release ${request.group}`;
    default:
      return request.cmd;
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
