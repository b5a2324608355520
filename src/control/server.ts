import { createServer, type Server, type Socket } from 'node:net';
import { dirname } from 'node:path';
import type { Logger } from '../logging/logger.js';
import type { ControlHandler } from './api.js';
import { Connection, endWith, RefusalLog } from './connection.js';
import { bindPrivately, clearStaleSocket, ensurePrivateDir } from './socket-file.js';

/** Operators run one command at a time; more than this is a runaway script or a flood. */
const MAX_CONNECTIONS = 16;

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
