import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../logging/logger.js';
import { BUSY, type ControlHandler } from './api.js';
import type { FaultReport } from '../base/errors.js';
import { Connection, RefusalLog } from './connection.js';
import { encodeReply } from './protocol.js';
import { bindPrivately, ensurePrivateDir, refuseTakenName, removeOwnSocket, type SocketIdentity } from './socket-file.js';

/** Operators run one command at a time; more than this is a runaway script or a flood. */
const MAX_CONNECTIONS = 16;
/** How long a refused client may take to read why before it is dropped. */
const REFUSAL_LINGER_MS = 1000;

/** The control socket: newline-delimited JSON requests from `ifdepd status` and friends. */
export class ControlServer {
  private readonly connections = new Set<Connection>();
  private readonly refusals: RefusalLog;
  private atLimit = false;
  private bound?: SocketIdentity;

  private constructor(
    private readonly server: Server,
    private readonly handler: ControlHandler,
    private readonly log: Logger,
    readonly path: string,
    private readonly fault: FaultReport,
  ) {
    this.refusals = new RefusalLog(log);
  }

  /** `fault`: where an exception in a request's handling goes (the daemon's fault handling). */
  static async listen(path: string, handler: ControlHandler, log: Logger, fault: FaultReport = rethrow): Promise<ControlServer> {
    ensurePrivateDir(dirname(path));
    await refuseTakenName(path);
    const server = createServer({ allowHalfOpen: false });
    const control = new ControlServer(server, handler, log, path, fault);
    server.on('connection', (socket) => control.accept(socket));
    control.bound = await bindPrivately(server, path);
    // Once listening, a failed accept (EMFILE) is logged; without a listener it would crash us.
    server.on('error', (err) => log.warning(`control socket ${path}: ${err.message}`));
    return control;
  }

  /** Stops listening, drops every client and removes the socket file, if it is still ours. */
  close(): Promise<void> {
    for (const connection of this.connections) connection.destroy();
    return new Promise((resolve) =>
      this.server.close(() => {
        if (this.bound !== undefined) removeOwnSocket(this.path, this.bound);
        resolve();
      }),
    );
  }

  private accept(socket: Socket): void {
    socket.on('error', (err) => this.log.debug(`control: client error: ${err.message}`));
    if (this.connections.size >= MAX_CONNECTIONS) {
      this.refuseOverLimit(socket);
      return;
    }
    const connection = new Connection(socket, this.handler, this.log, this.refusals, this.fault);
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
    // Closing at once would make the client's request fail with EPIPE, and Node then drops the
    // refusal unread: what it sends is read and discarded until it hangs up, or for a second.
    socket.on('data', () => undefined);
    socket.setTimeout(REFUSAL_LINGER_MS, () => socket.destroy());
    socket.end(encodeReply({ ok: false, error: BUSY }));
  }
}

const rethrow: FaultReport = (_where, err) => {
  throw err;
};
