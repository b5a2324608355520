import type { Socket } from 'node:net';
import { messageOf, type FaultReport } from '../base/errors.js';
import { monotonicMs } from '../base/monotonic.js';
import { Fatal } from '../base/sysexits.js';
import type { Logger } from '../logging/logger.js';
import type { ControlHandler, ControlReply, ControlRequest } from './api.js';
import { streamMonitor } from './monitor-session.js';
import { encodeReply, MAX_REQUEST_BYTES, parseRequest } from './protocol.js';

/** A client that says nothing for this long is gone or hostile. */
const IDLE_TIMEOUT_MS = 10_000;
const NEWLINE = 0x0a;


/** One client: requests are answered in order, one at a time. */
export class Connection {
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
    private readonly fault: FaultReport,
  ) {
    socket.setTimeout(IDLE_TIMEOUT_MS);
    socket.on('timeout', () => {
      this.log.debug('control: closing idle connection');
      this.destroy();
    });
    socket.on('data', (chunk: Buffer) => {
      try {
        this.receive(chunk);
      } catch (err) {
        // A bug, not the client's fault: it loses its connection, the daemon carries on.
        this.destroy();
        this.fault('control: request', err);
      }
    });
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
    else if (request.cmd === 'monitor') this.monitor(request.json);
    else this.reply(this.answer(request));
  }

  /** The connection becomes a stream of events until either side hangs up; no more requests are read. */
  private monitor(json: boolean): void {
    this.finished = true;
    this.buffered = Buffer.alloc(0);
    streamMonitor(this.socket, this.handler, json, this.log);
  }

  private answer(request: Exclude<ControlRequest, { cmd: 'reload' | 'monitor' }>): ControlReply {
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
      if (isBug(err)) {
        this.fault(`control: ${describe(request)}`, err);
        return { ok: false, error: `internal error: ${messageOf(err)}` };
      }
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
          return { ok: false, error: messageOf(err), ...(err instanceof Fatal ? { exitCode: err.exitCode } : {}) };
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
export class RefusalLog {
  private last = -Infinity;
  private held = 0;

  constructor(private readonly log: Logger) {}

  warn(text: string): void {
    const now = monotonicMs();
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
export function endWith(socket: Socket, reply: ControlReply): void {
  socket.setTimeout(IDLE_TIMEOUT_MS, () => socket.destroy());
  socket.end(encodeReply(reply), () => socket.destroy());
}

/** A handler refuses with Error(message); what the engine throws (TypeError...) is a bug. */
const isBug = (err: unknown): boolean => err instanceof TypeError || err instanceof RangeError || err instanceof ReferenceError;

function describe(request: ControlRequest): string {
  switch (request.cmd) {
    case 'hold':
      return `hold ${request.group} ${request.state}`;
    case 'monitor':
      return request.json ? 'monitor --json' : 'monitor';
    case 'release':
      return `release ${request.group}`;
    default:
      return request.cmd;
  }
}
