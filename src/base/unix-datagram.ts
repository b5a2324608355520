import { createRequire } from 'node:module';

/**
 * Unix datagram sockets, which Node lacks: /dev/log (syslog) and $NOTIFY_SOCKET (systemd).
 * node-unix-socket is an N-API addon (napi-rs) with prebuilt Linux binaries for x64 and
 * arm64, glibc and musl: one build loads in every Node >= 20, like the netlink addon.
 */
interface DgramSocketLike {
  sendTo(buf: Buffer, offset: number, length: number, destPath: string, onWrite?: (err: Error | undefined) => void): void;
  bind(path: string): void;
  on(event: 'data', listener: (data: Buffer, from: string) => void): this;
  on(event: 'error', listener: (err: Error) => void): this;
  close(): void;
}

interface UnixSocketModule {
  DgramSocket: new () => DgramSocketLike;
}

let loaded: UnixSocketModule | undefined;

function addon(): UnixSocketModule {
  loaded ??= createRequire(import.meta.url)('node-unix-socket') as UnixSocketModule;
  return loaded;
}

/** "@name" is the abstract name "\0name" (how systemd writes one in $NOTIFY_SOCKET). */
export function socketAddress(path: string): string {
  return path.startsWith('@') ? `\0${path.slice(1)}` : path;
}

/** An unbound datagram socket that sends to one path; created on first use. */
export class DatagramSender {
  private socket: DgramSocketLike | undefined;
  private readonly address: string;

  constructor(readonly path: string) {
    this.address = socketAddress(path);
  }

  /** Resolves once the kernel took the datagram; rejects with the errno message (ENOENT, ECONNREFUSED, ...). */
  send(text: string): Promise<void> {
    return new Promise((resolve, reject) => {
      try {
        this.socket ??= this.open();
        const buf = Buffer.from(text, 'utf8');
        this.socket.sendTo(buf, 0, buf.length, this.address, (err) => (err ? reject(err) : resolve()));
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
  }

  close(): void {
    this.socket?.close();
    this.socket = undefined;
  }

  private open(): DgramSocketLike {
    const socket = new (addon().DgramSocket)();
    // An 'error' event closes the socket: the next send opens another.
    socket.on('error', () => {
      if (this.socket === socket) this.socket = undefined;
    });
    return socket;
  }
}

/** A bound datagram socket (tests: a stand-in for /dev/log or $NOTIFY_SOCKET). */
export function bindDatagram(path: string, onMessage: (text: string) => void): { close(): void } {
  const socket = new (addon().DgramSocket)();
  socket.bind(socketAddress(path));
  socket.on('data', (data) => onMessage(data.toString('utf8')));
  socket.on('error', () => {});
  return { close: () => socket.close() };
}
